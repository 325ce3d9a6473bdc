// Wrapper module: builds the Kubernetes components from k8s.io/kubernetes. SANDBOX-ONLY
// (see scripts/sandbox/cluster.sh, which adds a `replace` for each staging module: the
// kubernetes module points them at ./staging, which its published zip does not resolve).
// The version comes from cluster.sh (`go mod edit -require`).
module warmstart.local/toolchain/kubernetes

go 1.26
