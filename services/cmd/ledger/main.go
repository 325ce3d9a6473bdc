// Command ledger is the local stack's gRPC service: it loads a snapshot before it serves,
// so its start-up is slow and measured, and it answers the kubelet's gRPC probes through
// the standard health service (grpc.health.v1), one service name per probe.
//
// The listener opens first, so a probe during the load gets NOT_SERVING, not a refused
// connection. On SIGTERM readiness turns NOT_SERVING first, in-flight calls finish within
// SHUTDOWN_TIMEOUT, then the process exits.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"

	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/warmstart/warmstart/services/internal/process"
)

// The names the GoService component gives the two gRPC probes by default.
const (
	readinessService = "readiness"
	livenessService  = "liveness"
)

func main() { process.Main("ledger", run) }

func run(ctx context.Context, getenv func(string) string, logOut io.Writer) error {
	logger := slog.New(slog.NewJSONHandler(logOut, nil))
	load, err := loadTime(getenv)
	if err != nil {
		return err
	}
	shutdownTimeout, err := process.ShutdownTimeout(getenv)
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", ":"+process.ValueOr(getenv("PORT"), "9090"))
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	return serve(ctx, listener, load, shutdownTimeout, logger)
}

// serve answers health checks on listener at once, serving after load, until ctx ends.
func serve(ctx context.Context, listener net.Listener, load, shutdownTimeout time.Duration, logger *slog.Logger) error {
	probes := health.NewServer()
	// Liveness too says NOT_SERVING until loaded: a load that hangs past the start-up
	// budget is then restarted.
	for _, name := range []string{"", readinessService, livenessService} {
		probes.SetServingStatus(name, healthpb.HealthCheckResponse_NOT_SERVING)
	}
	server := grpc.NewServer()
	healthpb.RegisterHealthServer(server, probes)
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	logger.Info("loading snapshot", "addr", listener.Addr().String(), "load", load.String())

	started := time.Now()
	select {
	case <-time.After(load):
		for _, name := range []string{"", readinessService, livenessService} {
			probes.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
		}
		logger.Info("serving")
	case <-ctx.Done():
		// Exiting non-zero puts this in the pod's termination message, which the kubelet
		// reports and `pulumi up` prints: the one line that says why a rollout failed.
		server.Stop()
		return fmt.Errorf("stopped before it was ready: the readiness probe (%q) never passed; "+
			"still loading after %s of a %s load", readinessService,
			time.Since(started).Round(time.Second), load)
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	}
	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	}
	return drain(server, probes, shutdownTimeout, logger)
}

// drain fails readiness, lets in-flight calls finish for at most timeout, then stops.
func drain(server *grpc.Server, probes *health.Server, timeout time.Duration, logger *slog.Logger) error {
	probes.SetServingStatus(readinessService, healthpb.HealthCheckResponse_NOT_SERVING)
	probes.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	logger.Info("draining", "timeout", timeout.String())
	stopped := make(chan struct{})
	go func() {
		server.GracefulStop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(timeout):
		server.Stop()
		logger.Warn("drain timed out: closed remaining calls")
	}
	logger.Info("stopped")
	return nil
}

// loadTime is how long the snapshot takes to load (LEDGER_LOAD_TIME, zero by default).
func loadTime(getenv func(string) string) (time.Duration, error) {
	text := getenv("LEDGER_LOAD_TIME")
	if text == "" {
		return 0, nil
	}
	parsed, err := time.ParseDuration(text)
	if err != nil || parsed < 0 {
		return 0, fmt.Errorf("LEDGER_LOAD_TIME must be a duration such as 3s, got %q", text)
	}
	return parsed, nil
}
