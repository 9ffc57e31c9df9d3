#!/usr/bin/env bash
# Post-deploy checks for the ops-webhook receiver, run by an operator:
#
#   scripts/verify-webhook.sh URL SECRET        e.g. scripts/verify-webhook.sh http://10.10.10.122:8080 "$WEBHOOK_SECRET"
#   scripts/verify-webhook.sh URL -             reads the secret from $WEBHOOK_SECRET (keeps it out of `ps`)
#
# Checks: health, 401 without a secret, 201 for a new event with a ticket, 200 duplicate with the
# same ticket, 422 for an invalid payload, and (when openssl is present) a Standard Webhooks signed
# delivery. Safe against production: every event uses a fresh session under the reserved
# `verify.invalid` test domain, so its ticket is plainly a self-test. Exits non-zero on any failure.
# The secret is never printed, and reaches curl through a private file, not its command line.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 URL SECRET|-" >&2
  exit 64
fi
base=${1%/}
base=${base%/api/v1/webhooks/onboard}
secret=$2
[[ $secret == "-" ]] && secret=${WEBHOOK_SECRET:-}
if [[ ${#secret} -lt 32 ]]; then
  echo "FAIL secret: expected at least 32 characters" >&2
  exit 64
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"
printf 'X-Webhook-Secret: %s\n' "$secret" >"$work/auth"
chmod 600 "$work/auth"

run_id="$(date +%s)-$RANDOM$RANDOM"
domain="selftest-${run_id}.verify.invalid"
session="verify-${run_id}"
onboard="$base/api/v1/webhooks/onboard"
failures=0

pass() { printf 'PASS %s\n' "$1"; }
fail() { printf 'FAIL %s\n' "$1" >&2; failures=$((failures + 1)); }

# request OUTFILE curl-args... -> prints the HTTP status
request() {
  local out=$1
  shift
  curl -sS --max-time 10 -o "$out" -w '%{http_code}' "$@" || echo 000
}

json_field() { # FILE FIELD -> value of a top-level scalar field in compact JSON
  sed -nE "s/.*\"$2\":(\"[^\"]*\"|[0-9]+|null|true|false).*/\\1/p" "$1" | head -n 1
}

status=$(request "$work/health" "$base/healthz")
[[ $status == 200 ]] && pass "GET /healthz -> 200" || fail "GET /healthz -> $status (want 200)"

event="{\"event\":\"account.created\",\"domain\":\"$domain\",\"session_id\":\"$session\",\"data\":{\"admin_email\":\"verify-webhook@verify.invalid\",\"source\":\"verify-webhook.sh\"}}"

status=$(request "$work/noauth" -X POST -H 'Content-Type: application/json' --data "$event" "$onboard")
[[ $status == 401 ]] && pass "POST without secret -> 401" || fail "POST without secret -> $status (want 401)"

status=$(request "$work/first" -X POST -H 'Content-Type: application/json' -H @"$work/auth" --data "$event" "$onboard")
ticket=$(json_field "$work/first" ticket_id)
if [[ $status == 201 && $ticket =~ ^[0-9]+$ ]]; then
  pass "POST new event -> 201, ticket $ticket"
else
  fail "POST new event -> $status $(head -c 300 "$work/first") (want 201 with a ticket_id)"
fi

status=$(request "$work/again" -X POST -H 'Content-Type: application/json' -H @"$work/auth" --data "$event" "$onboard")
again=$(json_field "$work/again" ticket_id)
duplicate=$(json_field "$work/again" duplicate)
if [[ $status == 200 && $again == "$ticket" && $duplicate == true ]]; then
  pass "POST same event again -> 200 duplicate, same ticket $again"
else
  fail "POST same event again -> $status ticket=$again duplicate=$duplicate (want 200, ticket $ticket, duplicate true)"
fi

bad="{\"event\":\"account.created\",\"domain\":\"$domain\",\"session_id\":\"$session-bad\",\"data\":{}}"
status=$(request "$work/bad" -X POST -H 'Content-Type: application/json' -H @"$work/auth" --data "$bad" "$onboard")
if [[ $status == 422 ]] && grep -q 'data.admin_email' "$work/bad"; then
  pass "POST invalid event -> 422 naming data.admin_email"
else
  fail "POST invalid event -> $status $(head -c 300 "$work/bad") (want 422 naming data.admin_email)"
fi

if command -v openssl >/dev/null 2>&1; then
  signed="{\"event\":\"domain.validated\",\"domain\":\"$domain\",\"session_id\":\"$session\",\"data\":{\"source\":\"verify-webhook.sh\"}}"
  msg_id="msg_verify_${run_id}"
  ts=$(date +%s)
  if [[ $secret == whsec_* ]]; then
    key_hex=$(printf '%s' "${secret#whsec_}" | openssl base64 -d -A | od -An -v -tx1 | tr -d ' \n')
  else
    key_hex=$(printf '%s' "$secret" | od -An -v -tx1 | tr -d ' \n')
  fi
  sig=$(printf '%s' "$msg_id.$ts.$signed" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key_hex" -binary | openssl base64 -A)
  printf 'webhook-id: %s\nwebhook-timestamp: %s\nwebhook-signature: v1,%s\n' "$msg_id" "$ts" "$sig" >"$work/sig"
  status=$(request "$work/signed" -X POST -H 'Content-Type: application/json' -H @"$work/sig" --data "$signed" "$onboard")
  linked=$(json_field "$work/signed" ticket_id)
  if [[ $status == 201 && $linked == "$ticket" ]]; then
    pass "POST signed follow-up (Standard Webhooks) -> 201, linked to ticket $linked"
  else
    fail "POST signed follow-up -> $status $(head -c 300 "$work/signed") (want 201 linked to ticket $ticket)"
  fi
else
  echo "SKIP signed delivery: openssl not found"
fi

if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) failed against $base" >&2
  exit 1
fi
echo "all checks passed against $base (test session $session)"
