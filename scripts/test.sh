#!/usr/bin/env bash
# Run the whole suite: lint, types, unit, integration and end-to-end tests in Chromium.
# Extra arguments go to pytest (for example: scripts/test.sh -m "not e2e").
set -euo pipefail
source "$(dirname "$0")/setup.sh" test

# Chromium: PORTAL_CHROMIUM_PATH, one on PATH, or Debian's package installed now.
if [ -z "${PORTAL_CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1 &&
   ! command -v chromium-browser >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
  echo "==> Installing Debian's chromium for the end-to-end tests"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# axe-core checks the pages' accessibility in the end-to-end tests.
AXE_VERSION="4.14.1"
if [ ! -f .tools/js/node_modules/axe-core/axe.min.js ]; then
  echo "==> Installing axe-core $AXE_VERSION from the npm registry into .tools/js"
  npm install --silent --no-fund --no-audit --prefix .tools/js "axe-core@$AXE_VERSION"
fi

# Stripe's Node SDK drives the merchant API in tests/merchant/test_node_sdk.py.
STRIPE_NODE_VERSION="23.2.0"
if [ "$(node -p "require('./.tools/js/node_modules/stripe/package.json').version" 2>/dev/null)" != "$STRIPE_NODE_VERSION" ]; then
  echo "==> Installing stripe $STRIPE_NODE_VERSION (Node SDK) from the npm registry into .tools/js"
  npm install --silent --no-fund --no-audit --prefix .tools/js "stripe@$STRIPE_NODE_VERSION"
fi

echo "==> ruff"
ruff check
ruff format --check --quiet
echo "==> mypy"
mypy
echo "==> pytest"
set +e
python -m pytest "$@"
status=$?
set -e
# pytest's 5 means no test was collected: that is a failure, not a pass.
[ "$status" -eq 5 ] && echo "No tests were collected." >&2 && exit 1
exit "$status"
