package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func status(t *testing.T, client healthpb.HealthClient, service string) healthpb.HealthCheckResponse_ServingStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	response, err := client.Check(ctx, &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		t.Fatalf("check %q: %v", service, err)
	}
	return response.GetStatus()
}

func waitFor(t *testing.T, client healthpb.HealthClient, service string, want healthpb.HealthCheckResponse_ServingStatus) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for status(t, client, service) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%q never became %v", service, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestProbesFollowLoadAndDrain(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	done := make(chan error, 1)
	go func() { done <- serve(ctx, listener, 300*time.Millisecond, time.Second, logger) }()

	conn, err := grpc.NewClient(listener.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)

	for _, name := range []string{readinessService, livenessService} {
		if got := status(t, client, name); got != healthpb.HealthCheckResponse_NOT_SERVING {
			t.Fatalf("%s while loading: %v", name, got)
		}
	}
	waitFor(t, client, readinessService, healthpb.HealthCheckResponse_SERVING)
	waitFor(t, client, livenessService, healthpb.HealthCheckResponse_SERVING)

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("did not stop after its context ended")
	}
}

func TestDurationsAreValidated(t *testing.T) {
	env := func(name string) string { return map[string]string{"LEDGER_LOAD_TIME": "soon"}[name] }
	if err := run(context.Background(), env, io.Discard); err == nil {
		t.Fatal("a malformed LEDGER_LOAD_TIME was accepted")
	}
}

func TestStoppedWhileLoadingSaysSo(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	err = serve(ctx, listener, time.Minute, time.Second, logger)
	if err == nil || !strings.Contains(err.Error(), `stopped before it was ready: the readiness probe ("readiness") never passed`) {
		t.Fatalf("serve = %v", err)
	}
}
