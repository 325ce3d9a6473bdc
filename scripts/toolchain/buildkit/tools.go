//go:build tools

// Package tools pins the BuildKit daemon, its client and buildx in this wrapper module.
package tools

import (
	_ "github.com/docker/buildx/cmd/buildx"
	_ "github.com/moby/buildkit/cmd/buildctl"
	_ "github.com/moby/buildkit/cmd/buildkitd"
)
