// Command edge-proxy is the local stack's raw TCP service: it forwards each connection to
// UPSTREAM (host:port) or, without one, echoes it back. Its only probe is a TCP connect, so
// it accepts connections as soon as it starts.
//
// On SIGTERM it stops accepting, lets open connections finish for SHUTDOWN_TIMEOUT, then
// closes what is left and exits.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/warmstart/warmstart/services/internal/process"
)

func main() { process.Main("edge-proxy", run) }

func run(ctx context.Context, getenv func(string) string, logOut io.Writer) error {
	logger := slog.New(slog.NewJSONHandler(logOut, nil))
	shutdownTimeout, err := process.ShutdownTimeout(getenv)
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", ":"+process.ValueOr(getenv("PORT"), "7000"))
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	return serve(ctx, listener, getenv("UPSTREAM"), shutdownTimeout, logger)
}

// serve proxies (or echoes) every connection accepted on listener until ctx ends.
func serve(ctx context.Context, listener net.Listener, upstream string, shutdownTimeout time.Duration, logger *slog.Logger) error {
	var open sync.WaitGroup
	conns := &tracked{set: map[net.Conn]struct{}{}}
	go func() {
		<-ctx.Done()
		_ = listener.Close()
	}()
	logger.Info("serving", "addr", listener.Addr().String(), "upstream", upstream)
	for {
		conn, err := listener.Accept()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return fmt.Errorf("accepting: %w", err)
		}
		conns.add(conn)
		open.Add(1)
		go func() {
			defer open.Done()
			defer conns.remove(conn)
			if err := handle(conn, upstream); err != nil {
				logger.Warn("connection", "remote", conn.RemoteAddr().String(), "error", err.Error())
			}
		}()
	}
	logger.Info("draining", "timeout", shutdownTimeout.String())
	finished := make(chan struct{})
	go func() {
		open.Wait()
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(shutdownTimeout):
		conns.closeAll()
		<-finished
		logger.Warn("drain timed out: closed remaining connections")
	}
	logger.Info("stopped")
	return nil
}

func handle(conn net.Conn, upstream string) error {
	defer conn.Close()
	if upstream == "" {
		_, err := io.Copy(conn, conn)
		return err
	}
	target, err := net.DialTimeout("tcp", upstream, 5*time.Second)
	if err != nil {
		return fmt.Errorf("dialling upstream: %w", err)
	}
	defer target.Close()
	copied := make(chan error, 2)
	go func() { copied <- pipe(target, conn) }()
	go func() { copied <- pipe(conn, target) }()
	return errors.Join(<-copied, <-copied)
}

// pipe copies until from ends, then half-closes to, so the other side sees end of input.
func pipe(to, from net.Conn) error {
	_, err := io.Copy(to, from)
	if tcp, ok := to.(*net.TCPConn); ok {
		_ = tcp.CloseWrite()
	}
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// tracked is the set of open connections, closed all at once when a drain times out.
type tracked struct {
	mu  sync.Mutex
	set map[net.Conn]struct{}
}

func (t *tracked) add(conn net.Conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.set[conn] = struct{}{}
}

func (t *tracked) remove(conn net.Conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.set, conn)
}

func (t *tracked) closeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for conn := range t.set {
		_ = conn.Close()
	}
}
