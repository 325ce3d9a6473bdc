package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/warmstart/warmstart/services/internal/health"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestDrainFinishesInFlightRequests cancels the server while a request is being handled:
// readiness must fail at once, the request must still succeed, and Serve must return nil.
func TestDrainFinishesInFlightRequests(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(entered)
		<-release
		_, _ = w.Write([]byte("done"))
	})
	state := &health.State{}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, listener, handler, state, 5*time.Second, quiet) }()

	response := make(chan int, 1)
	go func() {
		res, err := http.Get("http://" + listener.Addr().String() + "/slow")
		if err != nil {
			response <- -1
			return
		}
		res.Body.Close()
		response <- res.StatusCode
	}()
	<-entered
	cancel()
	deadline := time.Now().Add(2 * time.Second)
	for state.Ready() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if state.Ready() {
		t.Fatal("readiness still true after shutdown began")
	}
	close(release)
	if code := <-response; code != http.StatusOK {
		t.Fatalf("in-flight request: status %d, want 200", code)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

// TestDrainTimeout returns an error when a request outlives the shutdown budget.
func TestDrainTimeout(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	handler := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		close(entered)
		<-release
	})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, listener, handler, &health.State{}, 50*time.Millisecond, quiet) }()
	go func() {
		if res, err := http.Get("http://" + listener.Addr().String() + "/"); err == nil {
			res.Body.Close()
		}
	}()
	<-entered
	cancel()
	if err := <-served; err == nil {
		t.Fatal("Serve returned nil although a request outlived the shutdown budget")
	}
}

func TestIdleConnectionsOutliveTheLoadBalancers(t *testing.T) {
	if IdleTimeout <= ALBIdleTimeout {
		t.Fatalf("IdleTimeout %v must exceed the ALB's %v", IdleTimeout, ALBIdleTimeout)
	}
}
