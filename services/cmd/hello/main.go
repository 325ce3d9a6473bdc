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

	"github.com/warmstart/warmstart/services/internal/app"
	"github.com/warmstart/warmstart/services/internal/health"
	"github.com/warmstart/warmstart/services/internal/process"
	"github.com/warmstart/warmstart/services/internal/server"
)

const defaultPort = "8080"

func main() { process.Main("hello", run) }

func run(ctx context.Context, getenv func(string) string, logOut io.Writer) error {
	logger := slog.New(slog.NewJSONHandler(logOut, nil))
	port := process.ValueOr(getenv("PORT"), defaultPort)
	shutdownTimeout, err := process.ShutdownTimeout(getenv)
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", ":"+port)
	if err != nil {
		return fmt.Errorf("listening on port %s: %w", port, err)
	}
	state := &health.State{}
	handler := app.New(app.Config{Greeting: process.ValueOr(getenv("GREETING"), "hello")}, state, logger)
	return server.Serve(ctx, listener, handler, state, shutdownTimeout, logger)
}
