#!/usr/bin/env bash
# `make demo`: start the sandbox on loopback, run the Node demo through the package, then
# the `conveyor` CLI (scripts/demo-cli.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
exec bash scripts/with-sandbox.sh bash -c 'echo "sandbox: $SANDBOX_URL"; CONVEYOR_BASE_URL="$SANDBOX_URL/api/v2" node examples/demo.mjs && node examples/demo-webhook.mjs && bash scripts/demo-cli.sh && if [ "${DEMO_SERVE:-$([ -t 0 ] && echo 1 || echo 0)}" = 1 ]; then echo; exec node www/serve.mjs --port "${WWW_PORT:-0}" --sandbox "$SANDBOX_URL"; else echo "admin tool: run make demo in a terminal (or DEMO_SERVE=1) to serve it"; fi'
