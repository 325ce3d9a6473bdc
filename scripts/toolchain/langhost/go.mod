// SANDBOX-ONLY: warmstart's own Python language host for the Pulumi CLI (see main.go and
// scripts/toolchain.sh). Written here on the engine's published gRPC interfaces and the SDK's
// published Python toolchain and code generator; no code of Pulumi's is copied.
module warmstart.local/toolchain/langhost

go 1.26

require (
	github.com/pulumi/pulumi/pkg/v3 v3.259.0
	github.com/pulumi/pulumi/sdk/v3 v3.259.0
)
