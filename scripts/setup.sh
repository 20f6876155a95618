#!/usr/bin/env bash
# Create .venv with podpub and its test tools. Shared by demo.sh, test.sh and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
log=$(mktemp)
if ! { .venv/bin/python -m pip install --quiet --upgrade pip \
       && .venv/bin/python -m pip install --quiet -e '.[test]'; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup: installing podpub into .venv failed (log above)" >&2
  exit 1
fi
rm -f "$log"
