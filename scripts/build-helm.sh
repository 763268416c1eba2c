#!/usr/bin/env bash
# Builds Helm from its Go module (helm.sh/helm/v3/cmd/helm, through the Go module proxy) into the
# git-ignored .build/helm/, for `helm lint` and `helm template` in the tests. Skips the build when the
# binary already reports the wanted version. Needs Go >= 1.21 (the one on PATH, or the toolchain
# otel-collector/build.sh fetched into .build/go-toolchain): with the default GOTOOLCHAIN=auto, an older
# Go than Helm's go.mod asks for fetches the right toolchain from the module proxy by itself.
#   HELM_VERSION  Helm release (default below)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="${HELM_VERSION:-v3.22.0}"
out="$root/.build/helm"
binary="$out/bin/helm"
log() { printf '[helm-build] %s\n' "$*"; }

if [ -x "$binary" ] && "$binary" version --template '{{.Version}}' 2>/dev/null | grep -qx "$version"; then
  log "up to date: $binary ($version)"; exit 0
fi

go_minor() { "$1" env GOVERSION 2>/dev/null | sed -E 's/^go1\.([0-9]+).*/\1/'; }
go_bin=""
for candidate in go /usr/local/go/bin/go "$HOME/go/bin/go" "$root/.build/go-toolchain/bin/go"; do
  path="$(command -v "$candidate" 2>/dev/null || true)"
  if [ -n "$path" ] && [ "$(go_minor "$path")" -ge 21 ] 2>/dev/null; then go_bin="$path"; break; fi
done
[ -n "$go_bin" ] || { log "Go >= 1.21 not found; run bash otel-collector/build.sh first (it fetches one) or install Go"; exit 1; }
log "using $("$go_bin" env GOVERSION) ($go_bin)"

# Helm's Makefile stamps the version and the Kubernetes version it was built against (from client-go);
# without them `helm template` assumes Kubernetes 1.20 and refuses charts that need newer.
modfile="$(cd "$root" && GOFLAGS=-mod=mod "$go_bin" mod download -json "helm.sh/helm/v3@$version" | sed -nE 's/^\s*"GoMod": "(.*)",?$/\1/p')"
k8s_minor="$(sed -nE 's/^\s*k8s\.io\/client-go v0\.([0-9]+)\..*/\1/p' "$modfile" | head -n1)"
[ -n "$k8s_minor" ] || { log "could not read the client-go version from $modfile"; exit 1; }
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version"
for package in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags="$ldflags -X $package.k8sVersionMajor=1 -X $package.k8sVersionMinor=$k8s_minor"
done

mkdir -p "$out/bin"
log "building helm $version (Kubernetes 1.$k8s_minor; the first build downloads modules and takes several minutes)"
started=$(date +%s)
GOBIN="$out/bin" CGO_ENABLED=0 nice -n 10 "$go_bin" install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$version"
log "built in $(($(date +%s) - started))s: $("$binary" version --short)"
