#!/usr/bin/env bash
# The test suite: install podpub with its test tools, lint, then run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The Podcast Index's feed parser (podcast-partytime), pinned in tests/clients/package-lock.json.
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix tests/clients --no-audit --no-fund --loglevel=error >/dev/null
fi
.venv/bin/ruff check podpub tests bench
.venv/bin/python -m pytest "$@"
