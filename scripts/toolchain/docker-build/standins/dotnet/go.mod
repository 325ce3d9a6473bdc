// SANDBOX-ONLY stand-in for the .NET code generator's package-info type (see ../../go.mod).
module github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3

go 1.26
