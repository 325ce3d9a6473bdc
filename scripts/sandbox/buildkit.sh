#!/usr/bin/env bash
# SANDBOX-ONLY: BuildKit, buildx and a registry for a machine that has none and can pull no
# image from anywhere.
#
# Real users build with Docker's BuildKit (or any buildx builder) and push to ECR or to
# `warmstart:registry`; they never run this. Here it:
#   - builds buildkitd, buildctl and buildx from their Go modules (the versions the Docker
#     Build provider links), cached outside the clone and keyed by versions;
#   - starts a registry pair from Debian's docker-registry (Distribution): the upstream on
#     127.0.0.1:5000, which builds push to, and a pull-through mirror of it on 127.0.0.1:5001
#     (proxy mode: what a Harbor proxy cache does), which the local stack's nodes pull from;
#     then
#     buildkitd (OCI worker: Debian's runc) on a unix socket, and registers that daemon as
#     the buildx builder `warmstart`, which stacks name in `warmstart:registry.builder`;
#   - pushes the one base image the Dockerfile's build stage needs, `sandbox/golang`, made
#     from this machine's Go toolchain and Debian's static busybox (a shell for RUN).
# What it starts is recorded in $STATE; `stop` stops exactly that.
#
# Usage: scripts/sandbox/buildkit.sh build | start | stop | env
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
BUILDKIT_VERSION=v0.31.0
BUILDX_VERSION=v0.35.0
BIN="${WARMSTART_TOOLCHAIN_CACHE:-$HOME/.cache/warmstart-toolchain}/buildkit-${BUILDKIT_VERSION}_buildx-${BUILDX_VERSION}/bin"
STATE=${WARMSTART_SANDBOX_STATE:-/var/lib/warmstart-sandbox}
REGISTRY=127.0.0.1:5000
MIRROR=127.0.0.1:5001
BUILDER=warmstart
GO_VERSION=$(go env GOVERSION | sed 's/^go//')
# Bump the revision when the stand-in's contents change, so a pushed one is not reused.
BUILDER_TAG="$GO_VERSION-4"
GO_IMAGE="$REGISTRY/sandbox/golang:$BUILDER_TAG"
# Where the local stack's builds take their builder image from (`make up` mirrors the
# pinned golang image there on machines that can pull it; here the stand-in goes there).
LOCAL_GO_IMAGE="$REGISTRY/base/golang:1.26"

export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

log() { printf 'buildkit: %s\n' "$*" >&2; }
# shellcheck source=scripts/sandbox/lib.sh
. "$repo/scripts/sandbox/lib.sh"

build() {
  if [ -x "$BIN/buildkitd" ] && [ -x "$BIN/buildctl" ] && [ -x "$BIN/buildx" ]; then
    return
  fi
  log "building buildkitd, buildctl ($BUILDKIT_VERSION) and buildx ($BUILDX_VERSION)"
  local work
  work=$(mktemp -d)
  cp "$repo/scripts/toolchain/buildkit/go.mod" "$repo/scripts/toolchain/buildkit/tools.go" "$work/"
  (
    cd "$work" && go mod tidy
    for main in github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl \
      github.com/docker/buildx/cmd/buildx; do
      go build -trimpath -ldflags "-s -w" -o "$BIN/$(basename "$main")" "$main"
    done
  )
  rm -rf "$work"
}

buildctl() { "$BIN/buildctl" --addr "unix://$STATE/buildkitd.sock" "$@"; }

start_registry() { # name address [extra YAML]: a Distribution registry, unless one answers
  local name=$1 address=$2 extra=${3:-}
  if curl -fsS "http://$address/v2/" >/dev/null 2>&1; then
    log "using the $name on $address"
    return
  fi
  log "starting the $name on $address"
  mkdir -p "$STATE/$name"
  cat >"$STATE/$name.yml" <<YAML
version: 0.1
storage:
  filesystem: {rootdirectory: $STATE/$name}
  delete: {enabled: true}
http:
  addr: $address
$extra
YAML
  setsid docker-registry serve "$STATE/$name.yml" >"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
  wait_for 60 "$name" curl -fsS "http://$address/v2/"
}

start_buildkitd() {
  if buildctl debug workers >/dev/null 2>&1; then
    log "using the running buildkitd"
    return
  fi
  log "starting buildkitd"
  cat >"$STATE/buildkitd.toml" <<TOML
root = "$STATE/buildkit"
[grpc]
  address = ["unix://$STATE/buildkitd.sock"]
[worker.oci]
  enabled = true
  gc = true
[worker.containerd]
  enabled = false
[registry."$REGISTRY"]
  http = true
TOML
  setsid "$BIN/buildkitd" --config "$STATE/buildkitd.toml" >"$STATE/buildkitd.log" 2>&1 &
  echo $! >"$STATE/buildkitd.pid"
  wait_for 60 buildkitd buildctl debug workers
}

register_builder() {
  "$BIN/buildx" rm "$BUILDER" >/dev/null 2>&1 || true
  "$BIN/buildx" create --name "$BUILDER" --driver remote "unix://$STATE/buildkitd.sock" >/dev/null
  log "buildx builder '$BUILDER' is buildkitd on $STATE/buildkitd.sock"
}

push_go_image() {
  if registry_has "$REGISTRY" sandbox/golang "$BUILDER_TAG"; then
    log "$GO_IMAGE is in the registry"
    return
  fi
  log "assembling $GO_IMAGE from $(go env GOROOT) and busybox"
  local context
  context=$(mktemp -d)
  mkdir -p "$context/bin" "$context/etc/ssl/certs" "$context/tmp"
  chmod 1777 "$context/tmp"
  cp /bin/busybox "$context/bin/busybox"
  for tool in sh ls cp mv rm mkdir touch cat env chmod find sed; do
    ln -s busybox "$context/bin/$tool"
  done
  # `go mod download` verifies the module proxy's certificate.
  cp /etc/ssl/certs/ca-certificates.crt "$context/etc/ssl/certs/"
  cp -a "$(go env GOROOT)" "$context/go"
  cat >"$context/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY bin /bin
COPY etc /etc
COPY tmp /tmp
COPY go /usr/local/go
ENV PATH=/usr/local/go/bin:/bin GOPATH=/go GOTOOLCHAIN=local HOME=/root
WORKDIR /go
DOCKERFILE
  for name in "$GO_IMAGE" "$LOCAL_GO_IMAGE"; do
    buildctl build --frontend dockerfile.v0 --local context="$context" \
      --local dockerfile="$context" --output "type=image,name=$name,push=true" \
      >>"$STATE/go-image.log" 2>&1
  done
  rm -rf "$context"
}

stop() {
  for name in buildkitd mirror registry; do
    if [ -f "$STATE/$name.pid" ]; then
      log "stopping $name"
      kill "$(cat "$STATE/$name.pid")" 2>/dev/null || true
      rm -f "$STATE/$name.pid"
    fi
  done
}

case "${1:-}" in
  build) build ;;
  start)
    build
    apt_install_missing docker-registry:docker-registry runc:runc /bin/busybox:busybox-static \
      curl:curl
    mkdir -p "$STATE"
    start_registry registry "$REGISTRY"
    start_registry mirror "$MIRROR" "proxy: {remoteurl: http://$REGISTRY}"
    start_buildkitd
    register_builder
    push_go_image
    ;;
  stop) stop ;;
  env)
    printf 'export WARMSTART_REGISTRY=%q\n' "$REGISTRY"
    printf 'export WARMSTART_MIRROR=%q\n' "$MIRROR"
    printf 'export WARMSTART_BUILDER=%q\n' "$BUILDER"
    printf 'export WARMSTART_GO_IMAGE=%q\n' "$GO_IMAGE"
    printf 'export WARMSTART_BUILDCTL=%q\n' "$BIN/buildctl --addr unix://$STATE/buildkitd.sock"
    ;;
  *)
    echo "usage: $0 build|start|stop|env" >&2
    exit 2
    ;;
esac
