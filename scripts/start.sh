#!/usr/bin/env bash
# Set up everything (once) and start the portal in production mode on one port.
set -euo pipefail
source "$(dirname "$0")/setup.sh"

PORT="${PORTAL_PORT:-3000}"
export PORTAL_PUBLIC_URL="${PORTAL_PUBLIC_URL:-http://localhost:$PORT}"
export PORTAL_INTERNAL_URL="${PORTAL_INTERNAL_URL:-http://127.0.0.1:$PORT}"

python -m portal_app.cli init --demo
python -m portal_app.cli banner
exec python -m reflex run --env prod --single-port --frontend-port "$PORT" --loglevel warning
