#!/usr/bin/env bash
# Builds the npm package in pkg/: the release .wasm, wasm-bindgen's ESM (web) glue,
# wasm-opt -Oz, the names the .wasm and the glue share shortened (scripts/minify-names.mjs
# takes the glue's folder and fails on any name it cannot match), then what
# scripts/post-build.mjs derives from them (the CommonJS Node entry, the inline bytes, the
# .d.cts declarations) and the gzipped sizes. The package ships one .wasm,
# dist/web/conveyor_client_bg.wasm, which every entry loads.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

cargo build --release --lib --target wasm32-unknown-unknown -p conveyor-client
wasm=target/wasm32-unknown-unknown/release/conveyor_client.wasm

rm -rf pkg/dist
out=pkg/dist/web
# --encode-into always: every runtime the package supports has TextEncoder#encodeInto, so the
# glue need not test for it.
wasm-bindgen --target web --out-dir "$out" --no-typescript --encode-into always "$wasm"
# --converge repeats -Oz until it stops shrinking; --low-memory-unused lets it fold constant
# offsets into loads and stores, which is sound because rustc puts the 1 MB stack first
# (it grows down towards 0, the data and the heap sit above it), so nothing lives in the
# low 1 KB; --strip-producers drops the toolchain names section. -ocimfs 25 inlines a function
# called from one place only when it is small: inlining every such function (the default)
# made the .wasm 1.6% smaller raw but 4% larger gzipped (long bodies with many locals repeat
# less); 20 to 30 measured alike.
wasm-opt -Oz --converge --low-memory-unused --strip-producers --one-caller-inline-max-function-size 25 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out/conveyor_client_bg.wasm" -o "$out/conveyor_client_bg.wasm"
node scripts/minify-names.mjs "$out"
node scripts/post-build.mjs
