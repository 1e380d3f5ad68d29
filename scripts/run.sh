#!/usr/bin/env bash
# Start the action server and the Rasa server on localhost; Ctrl-C stops both.
#
# Security (see README, "Security and privacy"):
#   ACTION_SERVER_TOKEN  shared token between Rasa and the action server; a random one is
#                        generated for this run if unset. Never printed.
#   CORS_ORIGINS         comma-separated browser origins allowed to call either server
#                        (default: none).
#   RASA_API_TOKEN       if set, Rasa's HTTP API is enabled and requires this token; otherwise
#                        the API stays off and only the REST channel is served.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
export RASA_TELEMETRY_ENABLED=false PYTHONPATH="$PWD:$PWD/src" TF_CPP_MIN_LOG_LEVEL=2
mkdir -p var/log
if [ -z "${WEBCHAT_SECRET:-}" ]; then
  [ -s var/webchat_secret ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > var/webchat_secret)
  export WEBCHAT_SECRET="$(cat var/webchat_secret)"
fi

if [[ -z "${ACTION_SERVER_TOKEN:-}" ]]; then
  ACTION_SERVER_TOKEN=$("$BIN/python" -c 'import secrets;print(secrets.token_urlsafe(32))')
fi
export ACTION_SERVER_TOKEN

# endpoints.yml points Rasa at the action server on port 5055; follow ACTION_PORT if it differs.
endpoints=endpoints.yml
if [[ "$ACTION_PORT" != 5055 ]]; then
  endpoints=var/endpoints.run.yml
  sed "s#http://localhost:5055/webhook#http://localhost:$ACTION_PORT/webhook#" endpoints.yml \
    >"$endpoints"
fi

rasa_args=(run --model models/b12.tar.gz --port "$RASA_PORT" --interface 127.0.0.1
  --credentials credentials.yml --endpoints "$endpoints")
# Exact origins only (no patterns: sanic-cors matches those unanchored, GHSA-94jw-hqvj-vw74);
# the same check the action server applies, so both servers get the same list or none starts.
origin_list=$("$BIN/python" -W ignore -c 'import os; from action_server.app import cors_origins_from_env as f
try:
    print("\n".join(f(os.environ)))
except ValueError as e:
    raise SystemExit(str(e))') || exit 1
cors=()
while IFS= read -r origin; do
  [[ -n "$origin" ]] && cors+=("$origin")
done <<<"$origin_list"
if ((${#cors[@]})); then
  rasa_args+=(--cors "${cors[@]}")
fi
api_note="off"
if [[ -n "${RASA_API_TOKEN:-}" ]]; then
  rasa_args+=(--enable-api --auth-token "$RASA_API_TOKEN")
  api_note="on (token required)"
fi

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping servers..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped."
}
# Ctrl-C (or TERM) is the normal way to stop: exit 0 after stopping both servers.
trap 'stop; exit 0' INT TERM
trap stop EXIT

"$BIN/python" -m action_server --actions actions --port "$ACTION_PORT" >var/log/actions.log 2>&1 &
pids+=($!)
# `python -m rasa_patches` is the rasa CLI with the project's Rasa patches installed first.
"$BIN/python" -m rasa_patches "${rasa_args[@]}" >var/log/rasa.log 2>&1 &
pids+=($!)

echo "Starting (logs in var/log/)..."
for _ in $(seq 1 240); do
  if curl -fs "http://127.0.0.1:$RASA_PORT/webhooks/rest/" >/dev/null 2>&1 \
     && curl -fs "http://127.0.0.1:$ACTION_PORT/health" >/dev/null 2>&1; then
    cat <<MSG

B12 guideline bot is up.
  REST channel:  http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook
  Web chat:      http://127.0.0.1:$RASA_PORT/webchat/
  Action server: http://127.0.0.1:$ACTION_PORT/webhook (shared token required)
  Rasa HTTP API: $api_note; CORS origins: ${cors[*]:-none}
Try:
  curl -s localhost:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' \\
    -d '{"sender": "demo-1", "message": "62F, IF antibodies +, pins and needles in both feet, platelets 120", "metadata": {"audience": "clinician"}}'
Press Ctrl-C to stop.
MSG
    wait -n "${pids[@]}" || true
    echo "A server exited; see var/log/." >&2
    exit 1
  fi
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "A server failed to start; see var/log/." >&2; exit 1; }
  done
  sleep 1
done
echo "Servers did not come up within 240 s; see var/log/." >&2
exit 1
