#!/usr/bin/env bash
# Run one benchmark with the project's environment: scripts/bench.sh NAME [ARGS...]
# (NAME is a script in bench/, e.g. first_load; see bench/RESULTS.md).
set -euo pipefail
source "$(dirname "$0")/setup.sh" test
name="${1:?usage: scripts/bench.sh NAME [ARGS...], NAME one of: $(cd bench && ls [a-z]*.py | sed 's/\.py$//' | tr '\n' ' ')}"
shift
exec python "bench/${name}.py" "$@"
