#!/usr/bin/env bash
# Emit one onboarding event by hand through the emitter (what the portal does after each milestone).
#
#   scripts/emit.sh EVENT DOMAIN SESSION_ID ['{"admin_email":"admin@example.com"}']
#
# EMITTER_URL defaults to http://127.0.0.1:8787 (the emitter listens on loopback on VM112).
# With EMITTER_API_TOKEN set, it is sent as a Bearer token (through a private file, not argv).
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
if [[ -n ${EMITTER_API_TOKEN:-} ]]; then
  auth=$(mktemp)
  trap 'rm -f "$auth"' EXIT
  chmod 600 "$auth"
  printf 'Authorization: Bearer %s\n' "$EMITTER_API_TOKEN" >"$auth"
  args+=(-H @"$auth")
fi
curl "${args[@]}" "$url/v1/events"
