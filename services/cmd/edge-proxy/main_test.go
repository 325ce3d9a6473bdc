package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"
)

func start(t *testing.T, upstream string, shutdown time.Duration) (string, context.CancelFunc, chan error) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	go func() { done <- serve(ctx, listener, upstream, shutdown, logger) }()
	return listener.Addr().String(), cancel, done
}

func roundTrip(t *testing.T, addr, line string) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(line + "\n")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	reply, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return reply
}

func TestEchoesWithoutUpstream(t *testing.T) {
	addr, cancel, done := start(t, "", time.Second)
	if got := roundTrip(t, addr, "ping"); got != "ping\n" {
		t.Fatalf("echo: %q", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestForwardsToUpstream(t *testing.T) {
	upstream, stopUpstream, upstreamDone := start(t, "", time.Second)
	addr, cancel, done := start(t, upstream, time.Second)
	if got := roundTrip(t, addr, "through"); got != "through\n" {
		t.Fatalf("forwarded: %q", got)
	}
	cancel()
	stopUpstream()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-upstreamDone; err != nil {
		t.Fatal(err)
	}
}

func TestDrainClosesStragglersAfterTheTimeout(t *testing.T) {
	addr, cancel, done := start(t, "", 200*time.Millisecond)
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	roundTrip(t, addr, "warm") // the idle connection is surely accepted by now
	began := time.Now()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(began); waited < 150*time.Millisecond || waited > 2*time.Second {
		t.Fatalf("drain took %v, want about the 200ms timeout", waited)
	}
	if _, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
		t.Fatal("still accepting after the drain")
	}
}
