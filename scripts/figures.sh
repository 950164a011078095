#!/usr/bin/env bash
# Regenerates docs/figures/*.svg from runs (`descent figures`, full settings; about 1-3 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
node bin/descent.js figures --out "$out"
# The three the README shows (the others: `npx descent figures --out DIR`).
for f in fig-8-3-cliff fig-8-5-momentum fig-8-6-line-search; do cp "$out/$f.svg" docs/figures/; done
echo "wrote docs/figures/{fig-8-3-cliff,fig-8-5-momentum,fig-8-6-line-search}.svg"
