// Wrapper module: builds containerd 2.x (daemon, runc shim, ctr) from its published module.
// SANDBOX-ONLY (see scripts/sandbox/cluster.sh): Debian ships containerd 1.6, which has no
// image-volume mounts (containerd 2.1+) and no Kubernetes 1.36 CRI features. The version
// comes from cluster.sh (`go mod edit -require`), not from this file.
module warmstart.local/toolchain/containerd

go 1.26
