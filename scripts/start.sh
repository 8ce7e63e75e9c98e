#!/usr/bin/env bash
# Set up everything (once) and start the portal in production mode on one port.
#
# Listens on 127.0.0.1 only by default. To serve other machines, set PORTAL_HOST=0.0.0.0
# (the portal then refuses a development or short PORTAL_SECRET_KEY; leave it unset to use
# the random key generated in the data directory) and PORTAL_PUBLIC_URL to the address
# people open. On loopback the demo's development outbox (/dev/outbox, merchants only) is on;
# set PORTAL_DEV_OUTBOX=false to turn it off.
set -euo pipefail
source "$(dirname "$0")/setup.sh"

PORT="${PORTAL_PORT:-3000}"
HOST="${PORTAL_HOST:-127.0.0.1}"
export PORTAL_PUBLIC_URL="${PORTAL_PUBLIC_URL:-http://localhost:$PORT}"
export PORTAL_INTERNAL_URL="${PORTAL_INTERNAL_URL:-http://127.0.0.1:$PORT}"
case "$HOST" in
  127.*|localhost|::1) export PORTAL_DEV_OUTBOX="${PORTAL_DEV_OUTBOX:-true}" ;;
esac

python -m portal_app.cli init --demo
python -m portal_app.cli banner
exec python -m reflex run --env prod --single-port --frontend-port "$PORT" \
  --backend-host "$HOST" --loglevel warning
