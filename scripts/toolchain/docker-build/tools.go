//go:build tools

// Package tools pins the Docker Build provider's main package in this wrapper module.
package tools

import _ "github.com/pulumi/pulumi-docker-build/provider/cmd/pulumi-resource-docker-build"
