#!/usr/bin/env bash
# Runs a command with a fresh sandbox on a free loopback port; SANDBOX_URL names it.
# The wasm tests read SANDBOX_URL at compile time, so the same binary runs in a browser.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/debug/conveyor-sandbox
out=$(mktemp)
"$bin" --port 0 --quiet ${SANDBOX_ARGS:-} >"$out" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do
  url=$(grep -o 'http://[^ ]*' "$out" || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "sandbox did not start" >&2; exit 1; }
export SANDBOX_URL=$url
"$@"
