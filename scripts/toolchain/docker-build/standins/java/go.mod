// SANDBOX-ONLY stand-in for the Java code generator's package-info type (see ../../go.mod).
module github.com/pulumi/pulumi-java

go 1.26
