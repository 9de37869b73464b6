#!/usr/bin/env bash
# Installs what building and testing need, idempotently; quick when all is there.
# Steps: wasm32 std, the shipped .wasm's toolchain, the exact wasm-bindgen-cli, cargo-machete, npm dev tools, Chromium +
# ChromeDriver, redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools
source scripts/env.sh
log() { echo "setup: $*" >&2; }

have_wasm_std() {
  local sysroot
  sysroot=$(rustc --print sysroot 2>/dev/null) || return 1
  [ -d "$sysroot/lib/rustlib/wasm32-unknown-unknown/lib" ]
}

# 1. The wasm32 standard library: rustup when it can download, else Debian's packages
#    (rustc-web + rust-web-src, std built once for wasm32, as the steps below do).
if ! have_wasm_std; then
  log "adding the wasm32-unknown-unknown target"
  if ! timeout 180 rustup target add wasm32-unknown-unknown; then
    log "rustup could not download it; building std for wasm32 from Debian's rust-web-src"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq rustc-web cargo-web rust-web-src lld-19
    scratch=$(mktemp -d)
    (cd "$scratch" && /usr/bin/cargo init -q --lib --name stdbuild &&
      RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-19/bin/wasm-ld \
      /usr/bin/cargo build -q --release --target wasm32-unknown-unknown -Z build-std=std,panic_abort,test)
    mkdir -p /usr/lib/rustlib/wasm32-unknown-unknown/lib
    find "$scratch/target/wasm32-unknown-unknown/release/deps" -name 'lib*.rlib' ! -name 'libstdbuild*' \
      -exec cp {} /usr/lib/rustlib/wasm32-unknown-unknown/lib/ \;
    ln -sf /usr/lib/llvm-19/bin/lld /usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld
    rustup toolchain link debian-web /usr
    echo debian-web > .tools/toolchain
    rm -rf "$scratch"
  fi
fi

# 1b. The toolchain the shipped .wasm is built with (scripts/build.sh): Debian's rustc-web
#     with its library sources, so core and alloc are rebuilt with `panic=immediate-abort`
#     (no panic formatting or locations in the .wasm); rustup cannot add `rust-src` here.
if [ ! -x /usr/bin/rustc ] || [ ! -x /usr/bin/cargo ] || [ ! -d /usr/lib/rustlib/src/rust/library/core ] ||
  [ ! -x /usr/lib/llvm-19/bin/wasm-ld ]; then
  log "installing Debian's rustc-web, cargo-web, rust-web-src and lld-19 (the shipped .wasm's toolchain)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq rustc-web cargo-web rust-web-src lld-19
fi

# 2. wasm-bindgen-cli, exactly the version of the wasm-bindgen crate in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  log "installing wasm-bindgen-cli $want (found '${have:-none}')"
  cargo install -q --force wasm-bindgen-cli --version "$want"
fi

# 2b. cargo-machete, pinned: `make lint` fails on a dependency no code uses.
machete=0.9.2
if [ "$(cargo-machete --version 2>/dev/null | awk '{print $NF}')" != "$machete" ]; then
  log "installing cargo-machete $machete"
  cargo install -q --locked --force cargo-machete --version "$machete"
fi

# 3. npm dev tools (binaryen's wasm-opt, TypeScript, workerd/miniflare, Deno, Playwright).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dev tools"
  npm ci --no-audit --no-fund --loglevel=error
fi

# 4. Chromium and ChromeDriver from Debian (Playwright's own browser download cannot work here).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  log "installing chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver
fi

# 5. redis-server from Debian, for the Redis rate-limit store's tests (each test starts its
#    own on a free loopback port). The package's postinst would start a system service on
#    6379; a policy-rc.d that answers 101 ("action forbidden") stops that, so no stray
#    server runs and an install in a container without an init system cannot fail on it.
#    An existing policy-rc.d (Docker images ship one) is left as it is.
if ! command -v redis-server >/dev/null; then
  log "installing redis-server"
  export DEBIAN_FRONTEND=noninteractive
  policy=/usr/sbin/policy-rc.d
  own_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && own_policy=1
  fi
  status=0
  { apt-get update -qq && apt-get install -y -qq redis-server; } || status=$?
  if [ -n "$own_policy" ]; then rm -f "$policy"; fi
  if [ "$status" != 0 ]; then exit "$status"; fi
fi

# 6. ps (procps) and script (bsdutils), for the CLI's tests: `ps` proves the API key never
#    appears in a process's arguments, `script` gives the CLI a terminal (prompts, tables).
if ! command -v ps >/dev/null || ! command -v script >/dev/null; then
  log "installing procps and bsdutils"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq procps bsdutils
fi
