// Package java is a SANDBOX-ONLY stand-in: the one type the Docker Build provider names
// when it describes its Java SDK in its schema.
package java

// PackageInfo is the Java language section of a Pulumi package schema.
type PackageInfo struct {
	BuildFiles                      string            `json:"buildFiles,omitempty"`
	GradleNexusPublishPluginVersion string            `json:"gradleNexusPublishPluginVersion,omitempty"`
	Dependencies                    map[string]string `json:"dependencies,omitempty"`
}
