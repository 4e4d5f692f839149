#!/usr/bin/env bash
# Fuzz colang for SECONDS (default 600): builds once into .build-fuzz, then runs generated and
# mutated programs one at a time at low priority. Extra arguments go to run.py (see its --help).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
seconds="${1:-600}"
shift || true
exec nice -n 19 python3 run.py "$seconds" "$@"
