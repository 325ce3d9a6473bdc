// Wrapper module: builds runc from its published module, with seccomp (cgo and Debian's
// libseccomp-dev): the restricted Pod Security profile asks for the RuntimeDefault seccomp
// profile, which a runc built without it cannot apply. SANDBOX-ONLY (see
// scripts/sandbox/cluster.sh). The version comes from cluster.sh (`go mod edit -require`).
module warmstart.local/toolchain/runc

go 1.26
