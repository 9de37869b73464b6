#!/usr/bin/env bash
# The CLI part of `make demo`: `conveyor key check` with two keys, then a knowledge-base
# export, against the sandbox at $SANDBOX_URL. The key travels in the environment only.
# On a terminal the check prints a table; in a log, JSON Lines and the verdict.
set -euo pipefail
cd "$(dirname "$0")/.."
export CONVEYOR_BASE_URL="$SANDBOX_URL/api/v2"
conveyor() { node pkg/bin/conveyor.mjs "$@"; }
out=target/demo
mkdir -p "$out"

echo
echo "\$ CONVEYOR_API_KEY=<the sandbox's full key> conveyor key check"
CONVEYOR_API_KEY=sk_test_full_0123456789abcdef conveyor key check

echo
echo "\$ CONVEYOR_API_KEY=<a key made for the Trust Center only> conveyor key check"
CONVEYOR_API_KEY=sk_test_exchange_0123456789 conveyor key check || echo "(exit code $?: the key lacks permissions)"

echo
echo "\$ conveyor kb export --status verified -o $out/kb-verified.json"
CONVEYOR_API_KEY=sk_test_full_0123456789abcdef conveyor kb export --status verified -o "$out/kb-verified.json"
echo "\$ head -c 300 $out/kb-verified.json"
head -c 300 "$out/kb-verified.json"
echo " …"
