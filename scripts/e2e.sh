#!/usr/bin/env bash
# Packs pkg/ with `npm pack`, installs the tarball into a scratch project, and runs the
# runtime tests there (Node ESM and CJS, workerd, Deno, Chromium, tsc), so they see the
# package exactly as a user would. Extra arguments select test files.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
root=$PWD
work=$root/target/e2e
rm -rf "$work" && mkdir -p "$work/project"
tarball=$(cd pkg && npm pack --silent --pack-destination "$work")
cd "$work/project"
cat > package.json <<JSON
{ "name": "e2e", "private": true, "type": "module",
  "dependencies": { "conveyor-client": "file:../$tarball" } }
JSON
npm install --no-audit --no-fund --loglevel=error --offline >/dev/null
mkdir -p tests && cp -r "$root/tests/e2e" tests/
# The runtimes' tools come from the repo's dev dependencies, not the scratch project.
ln -s "$root/node_modules/miniflare" "$root/node_modules/esbuild" "$root/node_modules/playwright-core" \
  "$root/node_modules/redis" "$root/node_modules/ioredis" node_modules/
# svix's own verifier and signer, bundled once into one ESM file every runtime can load.
node "$root/scripts/bundle-svix.mjs" tests/e2e/lib/vendor/svix.mjs
export SANDBOX_BIN="${SANDBOX_BIN:-$root/target/debug/conveyor-sandbox}"
export TSC="$root/node_modules/.bin/tsc"
if [ $# -gt 0 ]; then
  node --test --test-concurrency=2 "$@"
  exit
fi
# The fleet tests measure how much of a scaled allowance several processes or isolates
# use: they run on their own afterwards, so the other suites' CPU load does not count
# against the fleet's throughput.
fleet=(tests/e2e/redis.test.mjs tests/e2e/durable-object.test.mjs)
# The hostile-world suite streams 32 MiB bodies and makes thousands of calls: it too runs
# on its own, so its CPU load does not skew the limiter's timing tests beside it.
alone=(tests/e2e/hostile.test.mjs "${fleet[@]}")
rest=()
for f in tests/e2e/*.test.mjs tests/e2e/*.test.cjs; do
  case " ${alone[*]} " in *" $f "*) ;; *) rest+=("$f") ;; esac
done
node --test --test-concurrency=2 "${rest[@]}"
node --test --test-concurrency=1 "${alone[@]}"
