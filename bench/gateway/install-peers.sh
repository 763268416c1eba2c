#!/usr/bin/env bash
# Installs the gateway benchmark's load generator and the peers it compares against, into .build/
# (never project dependencies).
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .build
# vegeta: the fixed-rate load generator (open loop, nanosecond latencies); built from the Go module proxy.
if [ ! -x .build/bin/vegeta ]; then
  echo "==> building vegeta v12.13.0 into .build/bin"
  GOBIN="$PWD/.build/bin" go install github.com/tsenart/vegeta/v12@v12.13.0
fi
if [ ! -f .build/peers/node_modules/@portkey-ai/gateway/build/start-server.js ]; then
  echo "==> installing @portkey-ai/gateway 1.15.2 into .build/peers"
  npm i --prefix .build/peers --no-save --no-audit --no-fund @portkey-ai/gateway@1.15.2
fi
# litellm >= 1.100 pins certifi>=2026.10.19, which the package registry here does not have yet.
if [ ! -x .build/bench-venv/bin/litellm ]; then
  echo "==> installing litellm[proxy] 1.99.3 into .build/bench-venv (a few minutes)"
  python3 -m venv .build/bench-venv
  .build/bench-venv/bin/pip install -q 'litellm[proxy]==1.99.3'
fi
echo "peers ready"
