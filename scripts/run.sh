#!/usr/bin/env bash
# Start the action server and the Rasa server on localhost; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
export RASA_TELEMETRY_ENABLED=false PYTHONPATH="$PWD:$PWD/src" TF_CPP_MIN_LOG_LEVEL=2
mkdir -p var/log

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping servers..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped."
}
trap stop INT TERM EXIT

"$BIN/rasa" run actions --actions actions --port "$ACTION_PORT" >var/log/actions.log 2>&1 &
pids+=($!)
"$BIN/rasa" run --model models/b12.tar.gz --port "$RASA_PORT" --interface 127.0.0.1 \
  --credentials credentials.yml --endpoints endpoints.yml >var/log/rasa.log 2>&1 &
pids+=($!)

echo "Starting (logs in var/log/)..."
for _ in $(seq 1 240); do
  if curl -fs "http://127.0.0.1:$RASA_PORT/webhooks/rest/" >/dev/null 2>&1 \
     && curl -fs "http://127.0.0.1:$ACTION_PORT/health" >/dev/null 2>&1; then
    cat <<MSG

B12 guideline bot is up.
  REST channel:  http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook
  Action server: http://127.0.0.1:$ACTION_PORT/webhook
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
