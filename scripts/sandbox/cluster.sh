#!/usr/bin/env bash
# SANDBOX-ONLY: a real single-node Kubernetes 1.36 for a machine that cannot run kind (no
# node image can be pulled). Users with Docker use kind, or any cluster their kubeconfig
# names; they never run this.
#
# Built from Go modules (cached outside the clone, keyed by versions): kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet, kube-proxy (k8s.io/kubernetes, its
# staging modules replaced by their published versions), etcd 3.6, and the runtime:
# containerd 2.2 (daemon, runc shim, ctr) and runc 1.3 built with seccomp. containerd 2.1+
# mounts Kubernetes image volumes and reports the sandbox image as pinned; Debian's 1.6 does
# neither. containerd runs as an instance of its own (socket, root and state under $STATE);
# the CNI plugins, iptables and conntrack come from Debian. The facts behind each setting
# are in ../shared/notes/local-cluster.md: cgroup v1 (failCgroupV1: false, cgroupfs), no
# CAP_SYS_RESOURCE (restrict_oom_score_adj), a non-loopback advertise address, and a pause
# image made here (the `sleep` target, pushed by scripts/sandbox/buildkit.sh's registry).
# The kubelet also runs with kubelet-settings.yaml beside this script: the start-up fields
# EKS nodes get (generated from components/cluster/node_settings.py).
#
# Addresses: the node is 192.0.2.10 on lo (TEST-NET-1, routed nowhere), pods
# get 198.18.0.0/24 and Services 198.19.0.0/24 (the benchmarking range, RFC 2544): only
# network namespaces this script makes on this machine ever hold them.
#
# Usage: scripts/sandbox/cluster.sh build | start | stop | env | status
#        scripts/sandbox/cluster.sh kubelet VERSION   (another kubelet on the running cluster)
#        scripts/sandbox/cluster.sh pull IMAGE | collect-images | images | processes NS POD
#                                   (test aids, see below)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
KUBERNETES_VERSION=${WARMSTART_KUBERNETES_VERSION:-v1.36.1}
# The kubelet alone may be older (the version skew policy allows three minors): the start-up
# benchmark compares kubelets on one control plane and one runtime.
KUBELET_VERSION=${WARMSTART_KUBELET_VERSION:-$KUBERNETES_VERSION}
ETCD_VERSION=v3.6.5
CONTAINERD_VERSION=v2.2.9
RUNC_VERSION=v1.3.7
CACHE=${WARMSTART_CLUSTER_CACHE:-$HOME/.cache/warmstart-cluster}
BIN="$CACHE/kubernetes-${KUBERNETES_VERSION}_etcd-${ETCD_VERSION}/bin"
KUBELET_BIN="$CACHE/kubernetes-${KUBELET_VERSION}_etcd-${ETCD_VERSION}/bin"
RUNTIME_BIN="$CACHE/containerd-${CONTAINERD_VERSION}_runc-${RUNC_VERSION}/bin"
STATE=${WARMSTART_CLUSTER_STATE:-/var/lib/warmstart-cluster}
PKI="$STATE/pki"
NODE=warmstart
NODE_IP=192.0.2.10
POD_CIDR=198.18.0.0/24
SERVICE_CIDR=198.19.0.0/24
API_SERVICE_IP=198.19.0.1
CONTEXT=warmstart-local
REGISTRY=127.0.0.1:5000
PAUSE_IMAGE="$REGISTRY/sandbox/pause:1"
COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)

export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

log() { printf 'cluster: %s\n' "$*" >&2; }
# shellcheck source=scripts/sandbox/lib.sh
. "$repo/scripts/sandbox/lib.sh"

build() {
  build_kubernetes "$KUBERNETES_VERSION" "$BIN" "${COMPONENTS[@]}"
  build_kubernetes "$KUBELET_VERSION" "$KUBELET_BIN" kubelet
  build_etcd
  build_runtime
}

missing_in() { # directory names... -> the names that are not executables in it
  local directory=$1 name
  shift
  for name in "$@"; do [ -x "$directory/$name" ] || printf '%s\n' "$name"; done
}

build_etcd() {
  [ -x "$BIN/etcd" ] && return
  local work
  work=$(mktemp -d)
  cp -r "$repo/scripts/toolchain/etcd/." "$work"
  (cd "$work" && go mod tidy && log "  etcd" && go build -trimpath -ldflags "-s -w" -o "$BIN/etcd" .)
  rm -rf "$work"
}

build_kubernetes() { # version bin components...
  local release=$1 bin=$2 work
  shift 2
  mapfile -t missing < <(missing_in "$bin" "$@")
  [ ${#missing[@]} -eq 0 ] && return
  log "building Kubernetes $release: ${missing[*]} (cold: about 20 minutes for all)"
  work=$(mktemp -d)
  cp -r "$repo/scripts/toolchain/kubernetes/." "$work"
  (
    cd "$work"
    go mod edit -require "k8s.io/kubernetes@$release"
    # The staging modules are `replace`d to ./staging in k8s.io/kubernetes: use the releases.
    local staging
    staging=$(go mod download -json "k8s.io/kubernetes@$release" \
      | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
    sed -n 's/^[[:space:]]*\(k8s.io\/[a-z0-9-]*\) => .\/staging.*/\1/p' "$staging" | while read -r module; do
      go mod edit -replace "$module=$module@v0${release#v1}"
    done
    # -e: some test-only imports of the staging modules do not resolve; no build needs them.
    go mod tidy -e
    local version=k8s.io/component-base/version minor=${release#v1.}
    local ldflags="-s -w -X $version.gitVersion=$release -X $version.gitMajor=1"
    ldflags+=" -X $version.gitMinor=${minor%%.*} -X $version.gitTreeState=clean"
    for component in "${missing[@]}"; do
      log "  $component"
      go build -trimpath -ldflags "$ldflags" -o "$bin/$component" "k8s.io/kubernetes/cmd/$component"
    done
  )
  rm -rf "$work"
}

# containerd 2.x and runc with seccomp (runc needs cgo and libseccomp's headers).
build_runtime() {
  mapfile -t missing < <(missing_in "$RUNTIME_BIN" containerd containerd-shim-runc-v2 ctr runc)
  [ ${#missing[@]} -eq 0 ] && return
  log "building containerd $CONTAINERD_VERSION and runc $RUNC_VERSION (cold: about 5 minutes)"
  apt_install_missing /usr/include/seccomp.h:libseccomp-dev pkg-config:pkg-config gcc:gcc
  local containerd=github.com/containerd/containerd/v2 name work
  work=$(mktemp -d)
  cp -r "$repo/scripts/toolchain/containerd/." "$work"
  (
    cd "$work"
    go mod edit -require "$containerd@$CONTAINERD_VERSION"
    go mod tidy
    for name in containerd containerd-shim-runc-v2 ctr; do
      log "  $name"
      go build -trimpath -tags no_btrfs \
        -ldflags "-s -w -X $containerd/version.Version=$CONTAINERD_VERSION" \
        -o "$RUNTIME_BIN/$name" "$containerd/cmd/$name"
    done
  )
  rm -rf "$work"
  work=$(mktemp -d)
  cp -r "$repo/scripts/toolchain/runc/." "$work"
  (
    cd "$work"
    go mod edit -require "github.com/opencontainers/runc@$RUNC_VERSION"
    go mod tidy
    log "  runc"
    CGO_ENABLED=1 go build -trimpath -tags seccomp \
      -ldflags "-s -w -X main.version=${RUNC_VERSION#v}" -o "$RUNTIME_BIN/runc" github.com/opencontainers/runc
  )
  rm -rf "$work"
}

node_address() {
  # On lo: this kernel has no dummy links, and the address only has to be local.
  ip -4 addr show dev lo | grep -q " $NODE_IP/" || ip addr add "$NODE_IP/32" dev lo
}

# --- certificates -----------------------------------------------------------------------
cert() { # name subject [extensions-file]
  local name=$1 subject=$2 extensions=${3:-}
  [ -f "$PKI/$name.crt" ] && return
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subject" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
    -CAcreateserial -days 365 -out "$PKI/$name.crt" ${extensions:+-extfile "$extensions"} 2>/dev/null
}

certificates() {
  mkdir -p "$PKI"
  if [ ! -f "$PKI/ca.crt" ]; then
    openssl genrsa -out "$PKI/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=warmstart-local-ca" -days 365 \
      -out "$PKI/ca.crt" 2>/dev/null
  fi
  cat >"$PKI/apiserver.ext" <<EOF
subjectAltName=DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$NODE_IP,IP:$API_SERVICE_IP
extendedKeyUsage=serverAuth
EOF
  printf 'extendedKeyUsage=clientAuth\n' >"$PKI/client.ext"
  cert apiserver "/CN=kube-apiserver" "$PKI/apiserver.ext"
  cert admin "/O=system:masters/CN=warmstart-admin" "$PKI/client.ext"
  cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$PKI/client.ext"
  cert controller-manager "/CN=system:kube-controller-manager" "$PKI/client.ext"
  cert scheduler "/CN=system:kube-scheduler" "$PKI/client.ext"
  cert kubelet "/O=system:nodes/CN=system:node:$NODE" "$PKI/client.ext"
  cert kube-proxy "/CN=system:kube-proxy" "$PKI/client.ext"
  [ -f "$PKI/sa.key" ] || openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
}

kubeconfig() { # user -> $STATE/<user>.kubeconfig
  local user=$1 file="$STATE/$1.kubeconfig"
  KUBECONFIG=$file kubectl config set-cluster "$CONTEXT" --server "https://$NODE_IP:6443" \
    --certificate-authority "$PKI/ca.crt" --embed-certs >/dev/null
  KUBECONFIG=$file kubectl config set-credentials "$user" --client-certificate "$PKI/$user.crt" \
    --client-key "$PKI/$user.key" --embed-certs >/dev/null
  KUBECONFIG=$file kubectl config set-context "$CONTEXT" --cluster "$CONTEXT" --user "$user" >/dev/null
  KUBECONFIG=$file kubectl config use-context "$CONTEXT" >/dev/null
}

# --- processes --------------------------------------------------------------------------
run() { # name command... : started in its own session, pid and log under $STATE/run
  local name=$1
  shift
  if [ -f "$STATE/run/$name.pid" ] && kill -0 "$(cat "$STATE/run/$name.pid")" 2>/dev/null; then
    return
  fi
  setsid "$@" >"$STATE/run/$name.log" 2>&1 &
  echo $! >"$STATE/run/$name.pid"
}

admin() { kubectl --kubeconfig "$STATE/admin.kubeconfig" "$@"; }
# This cluster's containerd, through the ctr built with it.
ctr() { "$RUNTIME_BIN/ctr" --address "$STATE/containerd.sock" "$@"; }

start_containerd() {
  mkdir -p "$STATE/containerd" "$STATE/cni/net.d"
  netns_directory
  # containerd 2.x config (version 3): the CRI plugin is split into runtime and images.
  cat >"$STATE/containerd/config.toml" <<EOF
version = 3
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
[grpc]
  address = "$STATE/containerd.sock"
[plugins.'io.containerd.cri.v1.images'.pinned_images]
  sandbox = "$PAUSE_IMAGE"
[plugins.'io.containerd.cri.v1.runtime']
  # The VM's bounding set lacks CAP_SYS_RESOURCE: runc cannot lower a sandbox's OOM score.
  restrict_oom_score_adj = true
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = "$STATE/cni/net.d"
  [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
      BinaryName = "$RUNTIME_BIN/runc"
      SystemdCgroup = false
EOF
  cat >"$STATE/cni/net.d/10-warmstart.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "warmstart", "plugins": [
  {"type": "bridge", "bridge": "ws-pods", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]],
            "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$STATE/cni/ipam"}},
  {"type": "portmap", "capabilities": {"portMappings": true}}
]}
EOF
  # containerd starts its shim (containerd-shim-runc-v2) from PATH.
  run containerd env PATH="$RUNTIME_BIN:$PATH" "$RUNTIME_BIN/containerd" \
    --config "$STATE/containerd/config.toml"
  wait_for 60 containerd ctr version
}

start_control_plane() {
  run etcd "$BIN/etcd" --name "$NODE" --data-dir "$STATE/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster "$NODE=http://127.0.0.1:2380"
  run kube-apiserver "$BIN/kube-apiserver" --etcd-servers http://127.0.0.1:2379 \
    --advertise-address "$NODE_IP" --bind-address 0.0.0.0 --secure-port 6443 \
    --service-cluster-ip-range "$SERVICE_CIDR" --authorization-mode Node,RBAC \
    --enable-admission-plugins NodeRestriction \
    --client-ca-file "$PKI/ca.crt" --tls-cert-file "$PKI/apiserver.crt" \
    --tls-private-key-file "$PKI/apiserver.key" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --service-account-issuer https://kubernetes.default.svc \
    --kubelet-preferred-address-types InternalIP
  wait_for 180 kube-apiserver admin get --raw /readyz
  run kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$STATE/controller-manager.kubeconfig" --leader-elect=false \
    --bind-address 127.0.0.1 --service-account-private-key-file "$PKI/sa.key" \
    --root-ca-file "$PKI/ca.crt" --use-service-account-credentials \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key"
  run kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$STATE/scheduler.kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1
}

kubelet_config() { # image GC: high% low% minimum-age
  mkdir -p "$STATE/kubelet"
  cat >"$STATE/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$STATE/containerd.sock
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
# This node shares its disk with Go and BuildKit caches: kubelet's defaults (evict under 10-15%
# free, collect images above 85% use) would taint it with DiskPressure on an ordinary build
# machine. Its tests bring their own GC thresholds where they test GC.
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%}
imageGCHighThresholdPercent: $1
imageGCLowThresholdPercent: $2
imageMinimumGCAge: $3
EOF
  # The start-up fields EKS nodes get (serializeImagePulls, maxParallelImagePulls).
  grep -v '^#' "$repo/scripts/sandbox/kubelet-settings.yaml" >>"$STATE/kubelet/config.yaml"
}

start_kubelet() {
  run kubelet "$KUBELET_BIN/kubelet" --config "$STATE/kubelet/config.yaml" \
    --kubeconfig "$STATE/kubelet.kubeconfig" --root-dir "$STATE/kubelet/root" \
    --hostname-override "$NODE" --node-ip "$NODE_IP"
  # What runs, so that a later restart (collect-images) starts the same kubelet.
  echo "$KUBELET_VERSION" >"$STATE/run/kubelet.version"
}

# The node is Ready and its kubelet reports `version` (a restarted kubelet posts its
# version and conditions with its first status update; until then the old ones stand).
wait_for_kubelet() { # version
  wait_for 120 "node $NODE with kubelet $1" node_runs_kubelet "$1"
}

node_runs_kubelet() {
  local reported
  reported=$(admin get node "$NODE" -o jsonpath='{.status.nodeInfo.kubeletVersion}')
  [ "$reported" = "$1" ] && admin wait --for condition=Ready "node/$NODE" --timeout 1s
}

# Another kubelet on the running cluster, the control plane, runtime, pods and kube-proxy
# untouched: built if missing, then the running kubelet is stopped and that one started on
# the same configuration and root directory. Pods keep running (their containers belong to
# containerd); the new kubelet adopts them. The start-up benchmark (bench/kubelets.py)
# compares kubelets this way.
switch_kubelet() { # version
  [ -n "${1:-}" ] || { echo "usage: $0 kubelet VERSION (e.g. v1.35.4)" >&2; exit 2; }
  [ -f "$STATE/run/kubelet.pid" ] || { log "no kubelet runs in $STATE: start first"; exit 1; }
  KUBELET_VERSION=$1
  KUBELET_BIN="$CACHE/kubernetes-${KUBELET_VERSION}_etcd-${ETCD_VERSION}/bin"
  build_kubernetes "$KUBELET_VERSION" "$KUBELET_BIN" kubelet
  log "restarting the kubelet as $KUBELET_VERSION"
  terminate kubelet
  start_kubelet
  wait_for_kubelet "$KUBELET_VERSION"
}

start_node() {
  kubelet_config 99 98 2m
  start_kubelet
  cat >"$STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: 198.18.0.0/16
hostnameOverride: $NODE
clientConnection: {kubeconfig: $STATE/kube-proxy.kubeconfig}
EOF
  run kube-proxy "$BIN/kube-proxy" --config "$STATE/kube-proxy.yaml"
  wait_for 120 "node $NODE" admin wait --for condition=Ready "node/$NODE" --timeout 1s
}

pause_image() {
  # The CRI sandbox image: `sleep` waits for SIGTERM, which is all a pause container does.
  if registry_has "$REGISTRY" sandbox/pause 1; then
    return
  fi
  log "pushing the sleep target as $PAUSE_IMAGE"
  eval "$("$repo/scripts/sandbox/buildkit.sh" env)"
  $WARMSTART_BUILDCTL build --frontend dockerfile.v0 --local "context=$repo/services" \
    --local "dockerfile=$repo/services" --opt target=sleep --opt platform=linux/amd64 \
    --opt "build-arg:GO_IMAGE=$WARMSTART_GO_IMAGE" \
    --output "type=image,name=$PAUSE_IMAGE,push=true" >"$STATE/run/pause-image.log" 2>&1
}

start() {
  build
  # containerd and runc are built (build_runtime); runc links libseccomp2, a dependency of
  # libseccomp-dev, which its build installs.
  apt_install_missing /usr/lib/cni/bridge:containernetworking-plugins iptables:iptables \
    conntrack:conntrack openssl:openssl kubectl:kubernetes-client jq:jq
  mkdir -p "$STATE/run"
  node_address
  certificates
  for user in admin controller-manager scheduler kubelet kube-proxy; do kubeconfig "$user"; done
  pause_image
  log "starting containerd, etcd, the control plane, kubelet and kube-proxy"
  [ -f "$STATE/run/containerd.pid" ] || pod_network_cleanup  # after an unclean stop
  start_containerd
  start_control_plane
  start_node
  log "ready: export KUBECONFIG=$STATE/admin.kubeconfig (context $CONTEXT)"
}

# SIGTERM, then up to 30 s to exit, then SIGKILL: the API server's graceful shutdown needs
# etcd, so each component is gone before the next one (etcd last) is asked to stop.
terminate() {
  local name=$1 pid
  [ -f "$STATE/run/$name.pid" ] || return 0
  pid=$(cat "$STATE/run/$name.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$STATE/run/$name.pid"
}

stop() {
  local name
  for name in kube-proxy kubelet kube-scheduler kube-controller-manager kube-apiserver etcd; do
    terminate "$name"
  done
  # Pods' containers belong to containerd's shims: stop them before containerd itself. A
  # shim exits once containerd has deleted its tasks; a task only killed leaves it running.
  if [ -S "$STATE/containerd.sock" ]; then
    ctr --namespace k8s.io tasks ls -q 2>/dev/null | while read -r task; do
      ctr --namespace k8s.io tasks delete --force "$task" >/dev/null 2>&1 || true
    done
  fi
  terminate containerd
  # A shim whose task could not be deleted outlives containerd: only this cluster's (they
  # name its socket) are ended.
  pkill -KILL -f -- "containerd-shim-runc-v2 .*-address $STATE/containerd.sock" || true
  # Pod volumes and sandbox /dev/shm stay mounted under the state directory otherwise.
  awk -v state="$STATE/" 'index($2, state) == 1 {print $2}' /proc/mounts | sort -r \
    | while read -r mount; do umount -l "$mount" 2>/dev/null || true; done
  pod_network_cleanup
  log "stopped"
}

# Test aid: one forced pass of the kubelet's own image GC, as a full disk would trigger it.
# The kubelet collects when it starts and every 5 minutes after, so it restarts with thresholds
# that make every unused image garbage (1% / 0%, minimum age 1ns: 0 means the 2 min default),
# and waits until a pass removes images. The pass at start often removes none (an image first
# seen in that very pass is too young, or the image filesystem stats are not ready), so this
# can take 5 minutes. Then the kubelet restarts as before. Pods keep running throughout; the
# pass's log is kept as run/kubelet-image-gc.log.
collect_images() {
  running_kubelet
  kubelet_config 1 0 1ns
  terminate kubelet
  start_kubelet
  log "waiting for a kubelet image GC pass that removes images (up to 5 min)"
  wait_for 420 "an image GC pass" grep -q "Removing image to free bytes" "$STATE/run/kubelet.log"
  sleep 5 # the other removals of that pass
  cp "$STATE/run/kubelet.log" "$STATE/run/kubelet-image-gc.log"
  kubelet_config 99 98 2m
  terminate kubelet
  start_kubelet
  wait_for_kubelet "$KUBELET_VERSION"
}

# The kubelet that runs (cluster.sh kubelet may have changed it), unless one is asked for.
running_kubelet() {
  if [ -z "${WARMSTART_KUBELET_VERSION:-}" ] && [ -f "$STATE/run/kubelet.version" ]; then
    KUBELET_VERSION=$(cat "$STATE/run/kubelet.version")
    KUBELET_BIN="$CACHE/kubernetes-${KUBELET_VERSION}_etcd-${ETCD_VERSION}/bin"
  fi
}

# Test aid: every process of a pod, as containerd sees it (its sandbox included), one line
# each: container name ("-" for the sandbox), the container's image, host PID, executable,
# resident memory (KiB).
pod_processes() { # namespace pod
  local id info name image pid
  for id in $(ctr --namespace k8s.io containers ls -q \
    "labels.\"io.kubernetes.pod.namespace\"==$1,labels.\"io.kubernetes.pod.name\"==$2" 2>/dev/null); do
    info=$(ctr --namespace k8s.io containers info "$id" 2>/dev/null)
    name=$(jq -r '.Labels["io.kubernetes.container.name"] // "-"' <<<"$info")
    image=$(jq -r .Image <<<"$info")
    # A container without a task (an init container that has exited) has no process.
    { ctr --namespace k8s.io tasks ps "$id" 2>/dev/null || true; } | awk 'NR > 1 {print $1}' \
      | while read -r pid; do
        printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$image" "$pid" "$(readlink "/proc/$pid/exe" || echo '?')" \
          "$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
      done
  done
}

# `ip netns add` turns /run/netns into a shared bind mount of itself the first time it runs.
# Done while pods run, that mount hides their namespaces' mounts, and every later pod deletion
# fails (unlinkat: device or resource busy). Make it that mount before any pod exists.
netns_directory() {
  mkdir -p /run/netns
  if ! mountpoint -q /run/netns; then
    mount --bind /run/netns /run/netns
  fi
  mount --make-shared /run/netns
}

# Pods' network namespaces and the bridge outlive containerd: without this, the next
# cluster's pods would share their addresses with dead ones still attached to the bridge.
pod_network_cleanup() {
  local namespace
  for namespace in $(ip netns list | awk '/^cni-/ {print $1}'); do
    ip netns delete "$namespace" 2>/dev/null || true
  done
  ip link delete ws-pods 2>/dev/null || true
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  collect-images) collect_images ;;
  kubelet) switch_kubelet "${2:-}" ;;
  # Test aid: an image on the node that no pod uses (pulled by containerd, over plain HTTP).
  pull) ctr --namespace k8s.io images pull --plain-http "$2" ;;
  # Test aid: every image reference containerd holds for the kubelet, one a line.
  images) ctr --namespace k8s.io images ls -q 2>/dev/null ;;
  processes) pod_processes "${2:?namespace}" "${3:?pod}" ;;
  env) printf 'export KUBECONFIG=%q\n' "$STATE/admin.kubeconfig" ;;
  status) admin get nodes -o wide ;;
  *)
    echo "usage: $0 build|start|stop|kubelet VERSION|pull IMAGE|collect-images|images|processes NS POD|env|status" >&2
    exit 2
    ;;
esac
