#!/usr/bin/env bash
# Builds the lean inferwatch Collector from otel-collector/builder-config.yaml with the official builder
# into the git-ignored .build/otelcol/. Skips the build when the manifest (and this script) hash matches
# the last successful build. Needs Go >= 1.24 and the Go module proxy.
#   OTELCOL_BUILDER_VERSION  builder version (default: the core version the manifest pins)
#   OTELCOL_FORCE_BUILD=1    rebuild even when the hash matches
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
manifest="$root/otel-collector/builder-config.yaml"
out="$root/.build/otelcol"
binary="$out/otelcol-inferwatch"
stamp="$out/.manifest.sha256"
builder_version="${OTELCOL_BUILDER_VERSION:-v0.162.0}"
log() { printf '[otelcol-build] %s\n' "$*"; }

go_ok() { [ -n "$1" ] && [ "$("$1" env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')" -ge 24 ] 2>/dev/null; }
go_bin=""
for candidate in go /usr/local/go/bin/go "$HOME/go/bin/go" "$root/.build/go-toolchain/bin/go"; do
  path="$(command -v "$candidate" 2>/dev/null || true)"
  if go_ok "$path"; then go_bin="$path"; break; fi
done
if [ -z "$go_bin" ]; then
  # No Go >= 1.24 here: fetch the official toolchain, which the Go module proxy serves as the module
  # golang.org/toolchain (the same download GOTOOLCHAIN=auto does), into .build/go-toolchain.
  toolchain="v0.0.1-go${OTELCOL_GO_VERSION:-1.26.8}.linux-$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')"
  log "Go >= 1.24 not found: fetching golang.org/toolchain@$toolchain from the Go module proxy"
  python3 - "$toolchain" "$root/.build" <<'PY'
import io, os, shutil, stat, sys, urllib.request, zipfile
version, build = sys.argv[1], sys.argv[2]
proxy = os.environ.get("GOPROXY", "https://proxy.golang.org").split(",")[0]
if proxy in ("direct", "off"):
    proxy = "https://proxy.golang.org"
data = urllib.request.urlopen(f"{proxy}/golang.org/toolchain/@v/{version}.zip", timeout=600).read()
prefix = f"golang.org/toolchain@{version}/"
target = os.path.join(build, "go-toolchain")
shutil.rmtree(target, ignore_errors=True)
with zipfile.ZipFile(io.BytesIO(data)) as archive:
    for info in archive.infolist():
        if not info.filename.startswith(prefix) or info.is_dir():
            continue
        path = os.path.join(target, info.filename[len(prefix):])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with archive.open(info) as source, open(path, "wb") as out:
            shutil.copyfileobj(source, out)
        if (info.external_attr >> 16) & 0o111 or "/bin/" in path or "/pkg/tool/" in path:
            os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
PY
  go_bin="$root/.build/go-toolchain/bin/go"
  go_ok "$go_bin" || { log "could not install a Go toolchain; install Go >= 1.24 (https://go.dev/dl)"; exit 1; }
fi
log "using $("$go_bin" env GOVERSION) ($go_bin)"

hash="$(cat "$manifest" "$0" | sha256sum | cut -d' ' -f1)-$builder_version"
if [ -z "${OTELCOL_FORCE_BUILD:-}" ] && [ -x "$binary" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
  log "up to date: $binary (manifest unchanged)"; exit 0
fi

gobin="$("$go_bin" env GOPATH)/bin"
builder="$gobin/builder"
if ! "$builder" version 2>&1 | grep -q "${builder_version#v}"; then
  log "installing go.opentelemetry.io/collector/cmd/builder@$builder_version"
  GOFLAGS=-mod=mod "$go_bin" install "go.opentelemetry.io/collector/cmd/builder@$builder_version"
fi

mkdir -p "$out"
log "building $binary (first build downloads modules and takes several minutes)"
started=$(date +%s)
export PATH="$(dirname "$go_bin"):$PATH"
# 1. The builder writes the distribution's sources (main.go, components.go, go.mod) and runs
#    `go mod tidy`. The manifest's output_path is relative to the manifest, so run from its folder.
#    That tidy also resolves the test imports of every component, and some of those modules (e.g.
#    otlpencodingextension@v0.16x, imported only by fileexporter's tests) are not served by the proxy,
#    so its failure is tolerated here and step 2 does the resolution that matters.
(cd "$root/otel-collector" && "$builder" --config="$manifest" --skip-compilation 2>&1 | grep -v '^go: downloading' | tail -n 20) || true
[ -f "$out/go.mod" ] || { log "the builder did not generate $out/go.mod"; exit 1; }
# 2. `-e` records what it can; the build below needs only the packages the binary really imports and
#    fails loudly if one of those is missing.
log "resolving modules"
(cd "$out" && nice -n 10 go mod tidy -e -compat=1.25 2>&1 | grep -v '^go: downloading' | tail -n 20) || true
# 3. Compile (nice: the machines are shared).
log "compiling"
(cd "$out" && CGO_ENABLED=0 nice -n 10 go build -trimpath -ldflags='-s -w' -o "$binary" .)
echo "$hash" >"$stamp"
log "built in $(($(date +%s) - started))s: $("$binary" --version)"
