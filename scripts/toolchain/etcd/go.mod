// Wrapper module: builds etcd from its published server module. SANDBOX-ONLY (see
// scripts/sandbox/cluster.sh): kube-apiserver 1.35+ needs etcd 3.6 (watch progress
// requests), and Debian ships 3.4.
module warmstart.local/toolchain/etcd

go 1.26

require go.etcd.io/etcd/server/v3 v3.6.5
