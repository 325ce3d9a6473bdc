#!/usr/bin/env bash
# `make up` and `make down`: the local stack's services on a cluster on this machine.
#
# up:   1. a cluster: the kubeconfig context warmstart-local if it answers; otherwise kind,
#          where Docker runs; otherwise (SANDBOX-ONLY) scripts/sandbox/cluster.sh;
#       2. a registry pair: the upstream on 127.0.0.1:5000 that builds push to, holding the
#          Dockerfile's builder image under base/golang:1.26 (pulled by its pinned digest
#          where Docker can pull; the sandbox's stand-in otherwise), and a pull-through
#          mirror of it on 127.0.0.1:5001 that the stack's nodes pull from;
#       3. pulumi up --stack local: builds the images, pushes them, deploys by digest;
#       4. how to reach each service, and one request to hello through a port-forward.
# down: stops exactly what `up` started (recorded in .local-started); the stack's state and
#       the cluster's data stay, so the next `up` finds the services where they were.
#
# The kind path follows kind's documented local-registry setup; it has not run here (no
# image can be pulled on this machine). The other two paths run in CI.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
CONTEXT=warmstart-local
REGISTRY=127.0.0.1:5000
GO_IMAGE_PINNED=golang:1.26-alpine@sha256:0178a641fbb4858c5f1b48e34bdaabe0350a330a1b1149aabd498d0699ff5fb2
GO_IMAGE_LOCAL="$REGISTRY/base/golang:1.26"
NAMESPACE=warmstart
STARTED=.local-started
KIND_CLUSTER=warmstart
KIND_REGISTRY=warmstart-registry
MIRROR=127.0.0.1:5001
KIND_MIRROR=warmstart-mirror

log() { printf '\nup: %s\n' "$*" >&2; }

have_docker() { command -v docker >/dev/null && docker info >/dev/null 2>&1; }

cluster_answers() { kubectl --context "$CONTEXT" get --raw /readyz >/dev/null 2>&1; }

record() { echo "$1" >>"$STARTED"; }

kind_up() {
  log "creating kind cluster $KIND_CLUSTER with a registry on $REGISTRY, mirrored on $MIRROR"
  docker network create kind >/dev/null 2>&1 || true
  if ! docker inspect "$KIND_REGISTRY" >/dev/null 2>&1; then
    docker run -d --restart=always -p "$REGISTRY:5000" --network kind --name "$KIND_REGISTRY" \
      registry:2 >/dev/null
    record kind-registry
  fi
  if ! docker inspect "$KIND_MIRROR" >/dev/null 2>&1; then
    docker run -d --restart=always -p "$MIRROR:5000" --network kind --name "$KIND_MIRROR" \
      -e REGISTRY_PROXY_REMOTEURL="http://$KIND_REGISTRY:5000" registry:2 >/dev/null
    record kind-mirror
  fi
  kind create cluster --name "$KIND_CLUSTER" --config - <<EOF
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
containerdConfigPatches:
- |-
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."$REGISTRY"]
    endpoint = ["http://$KIND_REGISTRY:5000"]
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."$MIRROR"]
    endpoint = ["http://$KIND_MIRROR:5000"]
EOF
  record kind
  kubectl config rename-context "kind-$KIND_CLUSTER" "$CONTEXT" >/dev/null
  # A builder that can push multi-platform images to the loopback registry.
  docker buildx create --name warmstart --driver docker-container --driver-opt network=host \
    --use >/dev/null 2>&1 || docker buildx use warmstart
}

# SANDBOX-ONLY where no Docker runs: BuildKit and the registry, then the cluster (its pause
# image comes from that registry). Only what was not running already is recorded.
sandbox() {
  eval "$(scripts/sandbox/buildkit.sh env)"
  export BUILDX_BUILDER=$WARMSTART_BUILDER
  if ! $WARMSTART_BUILDCTL debug workers >/dev/null 2>&1; then
    log "SANDBOX-ONLY: starting BuildKit and a registry (scripts/sandbox/buildkit.sh)"
    scripts/sandbox/buildkit.sh start
    record sandbox-buildkit
  fi
  eval "$(scripts/sandbox/cluster.sh env)"
  if ! cluster_answers; then
    log "SANDBOX-ONLY: starting a cluster (scripts/sandbox/cluster.sh)"
    scripts/sandbox/cluster.sh start
    record sandbox-cluster
  fi
}

cluster() {
  if cluster_answers; then
    log "using the cluster of context $CONTEXT"
  elif have_docker && command -v kind >/dev/null; then
    kind_up
  else
    sandbox
  fi
}

builder_image() {
  if curl -fs -o /dev/null "http://$REGISTRY/v2/base/golang/manifests/1.26" \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json'; then
    return
  fi
  log "mirroring $GO_IMAGE_PINNED to $GO_IMAGE_LOCAL"
  docker pull -q "$GO_IMAGE_PINNED" >/dev/null
  docker tag "$GO_IMAGE_PINNED" "$GO_IMAGE_LOCAL"
  docker push -q "$GO_IMAGE_LOCAL" >/dev/null
}

environment() {
  eval "$(scripts/toolchain.sh env)"
  export PATH="$repo/.venv/bin:$PATH" PULUMI_BACKEND_URL="file://$repo/.pulumi-state"
  export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-local-stack-only}"
  mkdir -p .pulumi-state
}

reach() {
  log "services in namespace $NAMESPACE"
  kubectl --context "$CONTEXT" -n "$NAMESPACE" get services \
    -o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.spec.ports[0].port}{"\n"}{end}' \
    | while IFS=$'\t' read -r name port; do
      printf '  %-12s kubectl --context %s -n %s port-forward svc/%s 8000:%s\n' \
        "$name" "$CONTEXT" "$NAMESPACE" "$name" "$port"
    done
  local port=18080
  kubectl --context "$CONTEXT" -n "$NAMESPACE" port-forward svc/hello "$port:80" >/dev/null 2>&1 &
  local forward=$!
  for _ in $(seq 1 50); do
    if answer=$(curl -fsS "http://127.0.0.1:$port/v1/hello" 2>/dev/null); then break; fi
    sleep 0.2
  done
  kill "$forward" 2>/dev/null || true
  if [ -z "${answer-}" ]; then
    echo "up: hello did not answer through a port-forward" >&2
    return 1
  fi
  log "hello answered: $answer"
}

up() {
  cluster
  builder_image
  environment
  log "pulumi up --stack local"
  pulumi stack select --create local --non-interactive >/dev/null
  pulumi up --stack local --yes --non-interactive
  reach
}

down() {
  [ -f "$STARTED" ] || { echo "down: nothing was started by make up" >&2; return 0; }
  while read -r what; do
    case "$what" in
      sandbox-cluster) scripts/sandbox/cluster.sh stop ;;
      sandbox-buildkit) scripts/sandbox/buildkit.sh stop ;;
      kind) kind delete cluster --name "$KIND_CLUSTER" ;;
      kind-registry) docker rm -f "$KIND_REGISTRY" >/dev/null ;;
      kind-mirror) docker rm -f "$KIND_MIRROR" >/dev/null ;;
    esac
  done < <(tac "$STARTED")
  rm -f "$STARTED"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *)
    echo "usage: $0 up|down" >&2
    exit 2
    ;;
esac
