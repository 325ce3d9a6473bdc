// Command hello is warmstart's reference Go service: probes, one API route, JSON logs,
// and a graceful drain on SIGTERM. PORT and SHUTDOWN_TIMEOUT come from the environment
// (the GoService component sets both), GOMEMLIMIT and GOMAXPROCS are read by the runtime.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/warmstart/warmstart/services/internal/app"
	"github.com/warmstart/warmstart/services/internal/health"
	"github.com/warmstart/warmstart/services/internal/server"
)

const (
	defaultPort            = "8080"
	defaultShutdownTimeout = 20 * time.Second
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, logOut io.Writer) error {
	logger := slog.New(slog.NewJSONHandler(logOut, nil))
	port := valueOr(getenv("PORT"), defaultPort)
	shutdownTimeout := defaultShutdownTimeout
	if text := getenv("SHUTDOWN_TIMEOUT"); text != "" {
		parsed, err := time.ParseDuration(text)
		if err != nil || parsed <= 0 {
			return fmt.Errorf("SHUTDOWN_TIMEOUT must be a positive duration such as 20s, got %q", text)
		}
		shutdownTimeout = parsed
	}
	listener, err := net.Listen("tcp", ":"+port)
	if err != nil {
		return fmt.Errorf("listening on port %s: %w", port, err)
	}
	state := &health.State{}
	handler := app.New(app.Config{Greeting: valueOr(getenv("GREETING"), "hello")}, state, logger)
	return server.Serve(ctx, listener, handler, state, shutdownTimeout, logger)
}

func valueOr(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}
