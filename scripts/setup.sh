#!/usr/bin/env bash
# Installs everything the full test suite needs on a fresh Debian machine, then `npm ci`.
# Idempotent: each step is skipped when its result is already there. Needs root (or sudo) for apt.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

# 1. Node 24 (the project targets it; `engines` allows >= 22.18). The npm registry's `node` package ships
#    the official binary, so this works where only registries are reachable.
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1)' 2>/dev/null; then
  if [ ! -x "$HOME/.node24/bin/node" ]; then
    step "installing Node 24 into $HOME/.node24 (npm registry package 'node@24')"
    npm i -g --prefix "$HOME/.node24" node@24 >/dev/null
  fi
  export PATH="$HOME/.node24/bin:$PATH"
fi
echo "node $(node --version), npm $(npm --version)"

# 2. Debian packages: Prometheus, Alertmanager (+ promtool, amtool), blackbox_exporter for the prober
#    benchmark, Chromium for the status-page browser test, python venv for the Python SDK and schemathesis,
#    openssl for the prober test that makes a soon-to-expire certificate (and the Redis TLS test's),
#    redis-server for the fleet tests (each test starts its own on a free port; the service stays off).
apt_packages=(prometheus prometheus-alertmanager prometheus-blackbox-exporter chromium python3-venv openssl redis-server)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The tests start their own redis-server on free ports; the package's service on 6379 is not wanted.
if [ -x /etc/init.d/redis-server ] && command -v service >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO service redis-server stop >/dev/null 2>&1 || true
fi

# 3. npm packages, exactly as locked.
step "npm ci"
npm ci --no-audit --no-fund

# 4. Python clients used by the tests as real third-party clients (the official openai SDK).
if [ ! -x .build/venv/bin/python ] || ! .build/venv/bin/python -c 'import openai, schemathesis' 2>/dev/null; then
  step "creating .build/venv with the Python openai SDK and schemathesis"
  python3 -m venv .build/venv
  .build/venv/bin/pip install -q -r test/python-requirements.txt
fi

# 5. The OpenTelemetry Collector, built with the official builder from otel-collector/builder-config.yaml.
if [ -x otel-collector/build.sh ]; then
  step "building the OpenTelemetry Collector (cached when the manifest is unchanged)"
  bash otel-collector/build.sh
fi

# 6. Helm, built from its Go module, for `helm lint` / `helm template` of deploy/helm in the tests
#    (after the Collector step, which fetches a Go toolchain when the machine has none).
step "building Helm (cached when the version is unchanged)"
bash scripts/build-helm.sh
echo
echo "setup complete"
