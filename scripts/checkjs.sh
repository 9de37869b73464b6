#!/usr/bin/env bash
# `tsc --checkJs` over the package's hand-written JS (pkg/entries, pkg/stores) against its
# declarations (index.d.ts, resources.d.ts, records.d.ts, stores/*.d.ts). The build's output
# is replaced by the stubs in tests/checkjs/stubs/dist/, so this needs no build and checks
# only what is written by hand. src/js and www are not covered yet.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
work=target/checkjs
rm -rf "$work" && mkdir -p "$work/pkg"
cp -r pkg/package.json pkg/entries pkg/stores pkg/index.d.ts pkg/resources.d.ts pkg/records.d.ts "$work/pkg/"
cp -r tests/checkjs/stubs/dist "$work/pkg/dist"
cp tests/checkjs/tsconfig.json tests/checkjs/runtimes.d.ts "$work/"
tsc -p "$work/tsconfig.json"
