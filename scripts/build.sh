#!/usr/bin/env bash
# Builds the npm package in pkg/: the release .wasm, wasm-bindgen glue for the ESM (web)
# and CommonJS (nodejs) loaders, wasm-opt -Oz, then prints the gzipped sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

cargo build --release --lib --target wasm32-unknown-unknown -p conveyor-client
wasm=target/wasm32-unknown-unknown/release/conveyor_client.wasm

rm -rf pkg/dist
for target in web nodejs; do
  out=pkg/dist/$target
  wasm-bindgen --target "$target" --out-dir "$out" --no-typescript "$wasm"
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/conveyor_client_bg.wasm" -o "$out/conveyor_client_bg.wasm"
done
node scripts/post-build.mjs
