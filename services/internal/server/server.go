// Package server runs an http.Handler until its context ends, then shuts down the way
// Kubernetes expects: readiness fails first, in-flight requests finish within the
// shutdown budget, and only then does the process exit.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/warmstart/warmstart/services/internal/health"
)

// IdleTimeout keeps idle keep-alive connections open longer than an ALB's own 60 s: the
// load balancer must be the side that closes, or it may send a request on a connection the
// server is closing at that moment and answer the client 502.
const IdleTimeout = 75 * time.Second

// ALBIdleTimeout is the ALB's default connection idle timeout.
const ALBIdleTimeout = 60 * time.Second

// Serve serves handler on listener until ctx is done, then drains for at most
// shutdownTimeout. It marks state started once it is accepting connections.
func Serve(ctx context.Context, listener net.Listener, handler http.Handler, state *health.State, shutdownTimeout time.Duration, logger *slog.Logger) error {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       IdleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(listener) }()
	state.MarkStarted()
	logger.Info("serving", "addr", listener.Addr().String())

	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}

	state.BeginDrain()
	logger.Info("draining", "timeout", shutdownTimeout.String())
	drainCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(drainCtx); err != nil {
		return fmt.Errorf("draining: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	logger.Info("stopped")
	return nil
}
