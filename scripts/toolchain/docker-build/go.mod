// Wrapper module: builds Pulumi's Docker Build provider from its published Go module.
// SANDBOX-ONLY (see scripts/toolchain.sh); no code of Pulumi's is committed here.
//
// The provider imports pulumi-java and the .NET language host only for the package-info
// types it writes into its schema's language section; the module proxy reachable here
// refuses both. standins/ declares just those types so the provider compiles; they change
// nothing a program sees (schema language metadata for Java and C# SDK generation).
module warmstart.local/toolchain/dockerbuild

go 1.26

require github.com/pulumi/pulumi-docker-build v0.0.22

replace github.com/pulumi/pulumi-java => ./standins/java

replace github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3 => ./standins/dotnet
