// Package codegen is a SANDBOX-ONLY stand-in: the one type the Docker Build provider names
// when it describes its .NET SDK in its schema.
package codegen

// CSharpPackageInfo is the C# language section of a Pulumi package schema.
type CSharpPackageInfo struct {
	RespectSchemaVersion bool              `json:"respectSchemaVersion,omitempty"`
	PackageReferences    map[string]string `json:"packageReferences,omitempty"`
}
