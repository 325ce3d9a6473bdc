// Wrapper module: builds the Pulumi Python language host from the published SDK module.
// SANDBOX-ONLY (see scripts/toolchain.sh); no code of Pulumi's is committed here.
module warmstart.local/toolchain/langhost

go 1.26

require github.com/pulumi/pulumi/sdk/v3 v3.79.0
