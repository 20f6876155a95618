#!/usr/bin/env bash
# The demo: install podpub, publish the example show to ./demo-site, print where the feed is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/podpub -C examples/la-voix-du-quartier list
.venv/bin/podpub -C examples/la-voix-du-quartier publish --to "$PWD/demo-site"
echo
echo "Feed written to $PWD/demo-site/feed.xml"
echo "Preview it in a podcast app on this network: .venv/bin/podpub -C examples/la-voix-du-quartier serve --host 0.0.0.0"
