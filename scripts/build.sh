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

# The shipped .wasm is built by Debian's rustc-web (scripts/setup.sh installs it) with core and
# alloc rebuilt from its sources (`-Z build-std`, allowed on a release compiler by
# RUSTC_BOOTSTRAP): `panic=immediate-abort` makes every panic the `unreachable` trap it already
# was under `panic = "abort"`, but without core's panic messages, their `Display` code and
# their file locations (about 2 KB gzip). `-Z location-detail=none` and `-Z fmt-debug=none`
# drop what is left of both; nothing the client says is formatted by `core::fmt`. Legacy
# symbol names keep the glue's closure names in the form scripts/minify-names.mjs matches.
# Its own target directory: switching compilers would otherwise rebuild everything each time.
SHIPPED_RUSTFLAGS="-Z unstable-options -C panic=immediate-abort -Z location-detail=none -Z fmt-debug=none -C symbol-mangling-version=legacy"

# build <out dir> <file stem> [cargo flags...]: the stores build's files have a name of their
# own (conveyor_client_stores_bg.wasm), so that tools which name a .wasm module by its file
# name (a bundler plugin keeping `.wasm` imports as modules) never take one for the other.
build() {
  local out=$1 stem=$2
  shift 2
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=target/shipped RUSTFLAGS="$SHIPPED_RUSTFLAGS" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$PWD/scripts/wasm-ld.sh" \
    /usr/bin/cargo build --release --lib --target wasm32-unknown-unknown -p conveyor-client \
    -Z build-std=core,alloc "$@"
  # --encode-into always: every runtime the package supports has TextEncoder#encodeInto, so
  # the glue need not test for it.
  wasm-bindgen --target web --out-dir "$out" --out-name "$stem" --no-typescript --encode-into always target/shipped/wasm32-unknown-unknown/release/conveyor_client.wasm
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
