#!/usr/bin/env bash
# Emit one onboarding event by hand through the emitter (what the portal does after each milestone).
#
#   scripts/emit.sh EVENT DOMAIN SESSION_ID ['{"admin_email":"admin@example.com"}']
#
# EMITTER_URL defaults to http://127.0.0.1:8787 (the emitter listens on loopback on VM112).
# The emitter's API token is sent as a Bearer token (through a private file, not argv): from
# EMITTER_API_TOKEN, else from EMITTER_API_TOKEN_FILE, which defaults to the file the emitter of
# `npm start` / `npm run dev` makes beside its database (.data/emitter.api-token).
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 EVENT DOMAIN SESSION_ID [DATA_JSON]" >&2
  echo "events: account.created domain.validated dns.applied onboarding.completed onboarding.failed" >&2
  exit 64
fi
url=${EMITTER_URL:-http://127.0.0.1:8787}
data=${4:-"{}"}
body=$(printf '{"event":"%s","domain":"%s","session_id":"%s","data":%s}' "$1" "$2" "$3" "$data")
args=(-sS --max-time 5 -X POST -H 'Content-Type: application/json' --data "$body" -w '\nHTTP %{http_code} in %{time_total}s\n')
token=${EMITTER_API_TOKEN:-}
token_file=${EMITTER_API_TOKEN_FILE:-"$(dirname "$0")/../.data/emitter.api-token"}
if [[ -z $token && -r $token_file ]]; then
  token=$(<"$token_file")
fi
if [[ -z $token ]]; then
  echo "$0: no API token: set EMITTER_API_TOKEN, or EMITTER_API_TOKEN_FILE to the emitter's token file" >&2
  exit 64
fi
auth=$(mktemp)
trap 'rm -f "$auth"' EXIT
chmod 600 "$auth"
printf 'Authorization: Bearer %s\n' "$token" >"$auth"
args+=(-H @"$auth")
curl "${args[@]}" "$url/v1/events"
