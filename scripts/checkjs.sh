#!/usr/bin/env bash
# `tsc --checkJs` over the hand-written JS: the package's (pkg/entries, pkg/stores), the
# client's JS shell (src/js) and the admin tool (www), against the package's declarations
# (index.d.ts, stores.d.ts, resources.d.ts, records.d.ts, stores/*.d.ts). The build's output is replaced
# by the stubs in tests/checkjs/stubs/dist/, so this needs no build and checks only what is
# written by hand. www imports `conveyor-client` as a user would: the copy of pkg/ is
# installed as node_modules/conveyor-client.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
work=target/checkjs
rm -rf "$work" && mkdir -p "$work/pkg"
cp -r pkg/package.json pkg/entries pkg/stores pkg/index.d.ts pkg/stores.d.ts pkg/resources.d.ts pkg/records.d.ts "$work/pkg/"
cp -r tests/checkjs/stubs/dist "$work/pkg/dist"
cp tests/checkjs/tsconfig.json tests/checkjs/runtimes.d.ts tests/checkjs/www.d.ts "$work/"
mkdir -p "$work/src" "$work/node_modules"
cp -r src/js "$work/src/js"
cp -r www "$work/www"
echo '{ "type": "module" }' >"$work/src/package.json"
echo '{ "type": "module" }' >"$work/www/package.json"
ln -s ../pkg "$work/node_modules/conveyor-client"
tsc -p "$work/tsconfig.json"
