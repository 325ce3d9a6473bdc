// Wrapper module: builds the Kubernetes components from k8s.io/kubernetes. SANDBOX-ONLY
// (see scripts/sandbox/cluster.sh, which adds a `replace` for each staging module: the
// kubernetes module points them at ./staging, which its published zip does not resolve).
module warmstart.local/toolchain/kubernetes

go 1.26

require k8s.io/kubernetes v1.35.4
