#!/usr/bin/env bash
# Builds the npm package in pkg/: the crate twice, lean (dist/web/, what `conveyor-client`
# loads) and with the `stores` feature (dist/stores/, what `conveyor-client/stores` and
# `conveyor-client/durable-object` load); each is the release .wasm, wasm-bindgen's ESM
# (web) glue, wasm-opt -Oz and the names the .wasm and the glue share shortened
# (scripts/minify-names.mjs, which fails on any name it cannot match). Then
# scripts/post-build.mjs derives the rest from both (the one shared errors module, the
# CommonJS Node entries, the inline bytes, the stores build's entries, the .d.cts
# declarations) and prints the gzipped sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

rm -rf pkg/dist

# build <out dir> <file stem> [cargo flags...]: the stores build's files have a name of their
# own (conveyor_client_stores_bg.wasm), so that tools which name a .wasm module by its file
# name (a bundler plugin keeping `.wasm` imports as modules) never take one for the other.
build() {
  local out=$1 stem=$2
  shift 2
  cargo build --release --lib --target wasm32-unknown-unknown -p conveyor-client "$@"
  # --encode-into always: every runtime the package supports has TextEncoder#encodeInto, so
  # the glue need not test for it.
  wasm-bindgen --target web --out-dir "$out" --out-name "$stem" --no-typescript --encode-into always target/wasm32-unknown-unknown/release/conveyor_client.wasm
  # --converge repeats -Oz until it stops shrinking; --low-memory-unused lets it fold constant
  # offsets into loads and stores, which is sound because rustc puts the 1 MB stack first
  # (it grows down towards 0, the data and the heap sit above it), so nothing lives in the
  # low 1 KB; --strip-producers drops the toolchain names section. -ocimfs 25 inlines a
  # function called from one place only when it is small: inlining every such function (the
  # default) made the .wasm 1.6% smaller raw but 4% larger gzipped (long bodies with many
  # locals repeat less); 20 to 30 measured alike.
  wasm-opt -Oz --converge --low-memory-unused --strip-producers --one-caller-inline-max-function-size 25 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/${stem}_bg.wasm" -o "$out/${stem}_bg.wasm"
  node scripts/minify-names.mjs "$out/${stem}_bg.wasm"
}

# Both builds share target/: the second relinks the same crate with the feature on. Neither
# has the default feature `std`: the shipped .wasm is `no_std` (src/lib.rs says why).
build pkg/dist/web conveyor_client --no-default-features
build pkg/dist/stores conveyor_client_stores --no-default-features --features stores
node scripts/post-build.mjs
