// Wrapper module: builds the Pulumi CLI from its published Go module. SANDBOX-ONLY (see
// scripts/toolchain.sh); no code of Pulumi's is committed here.
module warmstart.local/toolchain/cli

go 1.26

require github.com/pulumi/pulumi/pkg/v3 v3.259.0
