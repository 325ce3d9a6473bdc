// Package process holds what every warmstart command's main does the same way: run until
// SIGTERM (or an interrupt) with a context, exit non-zero with the error, and read the
// shutdown budget the GoService component passes as SHUTDOWN_TIMEOUT.
package process

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// DefaultShutdownTimeout is the drain budget when SHUTDOWN_TIMEOUT is not set.
const DefaultShutdownTimeout = 20 * time.Second

// Run is a command's body: its environment and log output come in, so tests drive it.
type Run func(ctx context.Context, getenv func(string) string, logOut io.Writer) error

// Main runs run with a context that ends on SIGTERM or an interrupt, and exits 1 on error.
func Main(name string, run Run) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		stop()
		os.Exit(1)
	}
}

// ShutdownTimeout is SHUTDOWN_TIMEOUT as a positive duration, or the default.
func ShutdownTimeout(getenv func(string) string) (time.Duration, error) {
	text := getenv("SHUTDOWN_TIMEOUT")
	if text == "" {
		return DefaultShutdownTimeout, nil
	}
	parsed, err := time.ParseDuration(text)
	if err != nil || parsed <= 0 {
		return 0, fmt.Errorf("SHUTDOWN_TIMEOUT must be a positive duration such as 20s, got %q", text)
	}
	return parsed, nil
}

// ValueOr is value, or fallback when value is empty.
func ValueOr(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}
