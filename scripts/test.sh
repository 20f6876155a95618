#!/usr/bin/env bash
# The test suite: install podpub with its test tools, lint, then run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check podpub tests bench
.venv/bin/python -m pytest "$@"
