#!/usr/bin/env bash
# SANDBOX-ONLY: builds the Pulumi engine for machines that cannot download it.
#
# Real users install the Pulumi CLI from pulumi.com and let it fetch plugins; this script
# does nothing when a `pulumi` is already on PATH. On a machine that only reaches package
# registries, it builds the three binaries `pulumi up` needs from their published Go
# modules (through the Go module proxy), into a cache outside the clone keyed by versions,
# so a second run is instant:
#   - the Pulumi CLI, github.com/pulumi/pulumi/pkg/v3 at the pinned `pulumi` wheel version;
#   - a Python language host. Pulumi's own (sdk/python/cmd/pulumi-language-python/v3) is
#     refused by the module proxy reachable here at every version, so this is warmstart's
#     (scripts/toolchain/langhost), written on the engine's published gRPC interfaces and the
#     SDK's Python toolchain at the CLI's version. It runs programs, policy packs and Python
#     plugins, and generates and links Python SDKs (`pulumi package add`). The SDK code that
#     runs is the pinned wheel, driven by the pulumi-language-python-exec script taken from
#     sdk/v3 at the CLI's version. Cached by a hash of its source, installed beside the CLI
#     (where the CLI looks for its bundled host first);
#   - the YAML language host (github.com/pulumi/pulumi-yaml at the newest version the proxy
#     serves), so Pulumi YAML programs consume warmstart's component provider here as they
#     do anywhere; scripts/toolchain/yamlhost answers the one call it predates (Link);
#   - the Kubernetes provider at the commit of the pinned pulumi-kubernetes release, its
#     embedded schema generated first with the provider's own generator;
#   - the Docker Build provider at the pinned pulumi-docker-build version. Its module imports
#     pulumi-java and the .NET language host only for schema metadata, and the proxy refuses
#     both, so its wrapper module replaces them with two-type stand-ins
#     (scripts/toolchain/docker-build/standins); nothing else of the provider changes.
#
# Usage: scripts/toolchain.sh build   build what is missing (no-op with a pulumi on PATH)
#        scripts/toolchain.sh env     print the exports that put this toolchain on PATH
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
PULUMI_VERSION=$(sed -n 's/^pulumi==//p' "$repo/requirements.txt")
KUBERNETES_VERSION=$(sed -n 's/^pulumi-kubernetes==//p' "$repo/requirements.txt")
# The pulumi-kubernetes v4.25.0 release commit, as the module proxy names it.
KUBERNETES_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199
KEY="pulumi-${PULUMI_VERSION}_kubernetes-${KUBERNETES_VERSION}"
DOCKER_BUILD_VERSION=$(sed -n 's/^pulumi-docker-build==//p' "$repo/requirements.txt")
ROOT="${WARMSTART_TOOLCHAIN_CACHE:-$HOME/.cache/warmstart-toolchain}"
CACHE="$ROOT/$KEY"
BIN="$CACHE/bin"
# Their own keys: a provider upgrade or a change to our host must not rebuild the CLI.
DOCKER_BUILD_BIN="$ROOT/docker-build-$DOCKER_BUILD_VERSION/bin"
# A wrapper module's source, hashed: a change to it rebuilds that binary only.
source_hash() { cat "$repo/scripts/toolchain/$1/go.mod" "$repo/scripts/toolchain/$1/"*.go | sha256sum | cut -c1-12; }
LANGHOST_HASH=$(source_hash langhost)
LANGHOST_BIN="$ROOT/langhost-$PULUMI_VERSION-$LANGHOST_HASH/bin"
YAML_HOST_VERSION=$(sed -n 's/^require github.com\/pulumi\/pulumi-yaml //p' "$repo/scripts/toolchain/yamlhost/go.mod")
YAML_HOST_HASH=$(source_hash yamlhost)
YAML_HOST_BIN="$ROOT/yamlhost-$YAML_HOST_VERSION-$YAML_HOST_HASH/bin"

export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

have_own_pulumi() {
  command -v pulumi >/dev/null 2>&1 && [ "$(command -v pulumi)" != "$BIN/pulumi" ]
}

log() { printf 'toolchain: %s\n' "$*" >&2; }

build_wrapper() { # name main-package output ldflags
  local work="$CACHE/work/$1"
  rm -rf "$work" && mkdir -p "$work"
  cp -r "$repo/scripts/toolchain/$1/." "$work/"
  (cd "$work" && go mod tidy && go build -trimpath -ldflags "$4" -o "$3" "$2")
}

build_cli() {
  log "building the Pulumi CLI v$PULUMI_VERSION"
  build_wrapper cli github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$BIN/pulumi" \
    "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
}

build_langhost() {
  log "building warmstart's Python language host (sdk v$PULUMI_VERSION, source $LANGHOST_HASH)"
  build_wrapper langhost . "$LANGHOST_BIN/pulumi-language-python" \
    "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
  (cd "$CACHE/work/langhost" && go vet ./... && go test ./...)
  local sdk
  sdk=$(cd "$CACHE/work/langhost" && go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$LANGHOST_BIN/pulumi-language-python-exec"
}

build_yamlhost() {
  log "building the YAML language host $YAML_HOST_VERSION"
  build_wrapper yamlhost . "$YAML_HOST_BIN/pulumi-language-yaml" \
    "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$YAML_HOST_VERSION"
}

# The CLI prefers a language host beside itself (and warns about one found elsewhere on PATH).
install_beside_cli() { # directory file...
  local from=$1 file
  shift
  for file in "$@"; do
    cmp -s "$from/$file" "$BIN/$file" || install -m 0755 "$from/$file" "$BIN/$file"
  done
}

build_kubernetes() {
  log "building the Kubernetes provider v$KUBERNETES_VERSION"
  local module=github.com/pulumi/pulumi-kubernetes/provider/v4
  local work="$CACHE/work/kubernetes"
  rm -rf "$work" && mkdir -p "$work"
  # The checksum database does not list this commit version; the proxy's copy is used.
  local src
  src=$(cd "$work" && GONOSUMDB=github.com/pulumi/pulumi-kubernetes \
    go mod download -json "$module@$KUBERNETES_MODULE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  cp -r "$src" "$work/provider" && chmod -R u+w "$work/provider"
  cd "$work/provider"
  # Its go.mod points the SDK at a sibling directory of the repository; use the release.
  go mod edit -replace "github.com/pulumi/pulumi-kubernetes/sdk/v4=github.com/pulumi/pulumi-kubernetes/sdk/v4@v$KUBERNETES_VERSION"
  (cd cmd/pulumi-resource-kubernetes && VERSION="$KUBERNETES_VERSION" go run generate.go)
  go build -trimpath -o "$BIN/pulumi-resource-kubernetes" \
    -ldflags "-s -w -X $module/pkg/version.Version=$KUBERNETES_VERSION" ./cmd/pulumi-resource-kubernetes
  cd "$repo"
}

build_docker_build() {
  log "building the Docker Build provider v$DOCKER_BUILD_VERSION"
  build_wrapper docker-build \
    github.com/pulumi/pulumi-docker-build/provider/cmd/pulumi-resource-docker-build \
    "$DOCKER_BUILD_BIN/pulumi-resource-docker-build" \
    "-s -w -X github.com/pulumi/pulumi-docker-build/provider.Version=$DOCKER_BUILD_VERSION"
}

install_plugin() { # name version binary
  log "installing the $1 plugin into $CACHE/home"
  PULUMI_HOME="$CACHE/home" PULUMI_SKIP_UPDATE_CHECK=true \
    "$BIN/pulumi" plugin install resource "$1" "$2" --file "$3" >&2
}

case "${1:-}" in
  build)
    if have_own_pulumi; then
      log "using $(command -v pulumi)"
      exit 0
    fi
    mkdir -p "$BIN"
    [ -x "$BIN/pulumi" ] || build_cli
    [ -x "$LANGHOST_BIN/pulumi-language-python" ] || build_langhost
    install_beside_cli "$LANGHOST_BIN" pulumi-language-python pulumi-language-python-exec
    [ -x "$YAML_HOST_BIN/pulumi-language-yaml" ] || build_yamlhost
    install_beside_cli "$YAML_HOST_BIN" pulumi-language-yaml
    [ -x "$BIN/pulumi-resource-kubernetes" ] || build_kubernetes
    [ -x "$DOCKER_BUILD_BIN/pulumi-resource-docker-build" ] || build_docker_build
    [ -d "$CACHE/home/plugins/resource-kubernetes-v$KUBERNETES_VERSION" ] \
      || install_plugin kubernetes "$KUBERNETES_VERSION" "$BIN/pulumi-resource-kubernetes"
    [ -d "$CACHE/home/plugins/resource-docker-build-v$DOCKER_BUILD_VERSION" ] \
      || install_plugin docker-build "$DOCKER_BUILD_VERSION" \
        "$DOCKER_BUILD_BIN/pulumi-resource-docker-build"
    rm -rf "$CACHE/work"
    log "ready in $BIN"
    ;;
  env)
    printf 'export PULUMI_SKIP_UPDATE_CHECK=true\n'
    if ! have_own_pulumi; then
      # shellcheck disable=SC2016 # $PATH is for the shell that evals this, not expanded here
      printf 'export PATH=%q:"$PATH"\n' "$BIN"
      printf 'export PULUMI_HOME=%q\n' "$CACHE/home"
      # Plugins come from this build only; nothing may be downloaded from elsewhere.
      printf 'export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true\n'
    fi
    ;;
  *)
    echo "usage: $0 build|env" >&2
    exit 2
    ;;
esac
