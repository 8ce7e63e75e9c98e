# Shared set-up, sourced by start.sh and test.sh: a virtual environment with the pinned
# dependencies, and the JavaScript runtime Reflex needs (bun, from the npm registry).
# Idempotent: each step is skipped when what it makes is already there and current.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EXTRAS="${1:-}"

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating the virtual environment in .venv"
  "$(find_python)" -m venv .venv
fi

# Reinstall only when the pinned dependencies (or the extras asked for) change.
stamp=".venv/.installed-$( (cat pyproject.toml; echo "$EXTRAS") | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> Installing Python dependencies${EXTRAS:+ (with $EXTRAS)}"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${EXTRAS:+[$EXTRAS]}"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Reflex's own bun download cannot work offline; the npm registry's `bun` package can.
BUN_VERSION="1.4.5"
if ! command -v bun >/dev/null 2>&1; then
  if [ ! -x .tools/js/node_modules/.bin/bun ]; then
    command -v npm >/dev/null 2>&1 || { echo "Node.js and npm are needed to install bun." >&2; exit 1; }
    echo "==> Installing bun $BUN_VERSION from the npm registry into .tools/js"
    npm install --silent --no-fund --no-audit --prefix .tools/js "bun@$BUN_VERSION"
  fi
  export PATH="$ROOT/.tools/js/node_modules/.bin:$PATH"
fi
export REFLEX_USE_SYSTEM_BUN=1
# Naming the registry up front skips Reflex's start-up probe of npm mirrors.
if [ -z "${NPM_CONFIG_REGISTRY:-}" ] && command -v npm >/dev/null 2>&1; then
  NPM_CONFIG_REGISTRY="$(npm config get registry 2>/dev/null)"
  export NPM_CONFIG_REGISTRY
fi
export PATH="$ROOT/.venv/bin:$PATH"
