// SANDBOX-ONLY: the Pulumi YAML language host from its published Go module, with the one
// call it lacks for this CLI (see main.go and scripts/toolchain.sh). No code of Pulumi's is
// copied here.
module warmstart.local/toolchain/yamlhost

go 1.26

require github.com/pulumi/pulumi-yaml v1.25.0
