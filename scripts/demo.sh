#!/usr/bin/env bash
# `make demo`: start the sandbox on loopback, run the Node demo through the package.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
exec bash scripts/with-sandbox.sh bash -c 'echo "sandbox: $SANDBOX_URL"; CONVEYOR_BASE_URL="$SANDBOX_URL/api/v2" node examples/demo.mjs'
