#!/usr/bin/env bash
# The packaging matrix (tests/packaging/): packs pkg/ with `npm pack`, then builds tiny
# projects with the real bundlers and runtimes against that tarball and runs their output.
# Extra arguments select test files.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
work=$PWD/target/packaging
rm -rf "$work" && mkdir -p "$work"
tarball=$(cd pkg && npm pack --silent --pack-destination "$work")
export PACKAGING_TARBALL="$work/$tarball"
# The shared scenario's webhook half checks against svix's own signer, bundled once; the
# cases copy it beside the scenario.
node scripts/bundle-svix.mjs "$work/vendor/svix.mjs"
export SANDBOX_BIN="${SANDBOX_BIN:-$PWD/target/debug/conveyor-sandbox}"
if [ $# -eq 0 ]; then set -- tests/packaging/*.test.mjs; fi
node --test --test-concurrency=2 "$@"
