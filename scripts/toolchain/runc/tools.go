//go:build tools

// Package tools pins runc's main package in this wrapper module.
package tools

import (
	_ "github.com/opencontainers/runc"
)
