package app

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/warmstart/warmstart/services/internal/health"
)

func newHandler(state *health.State) http.Handler {
	return New(Config{Greeting: "hello"}, state, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestHello(t *testing.T) {
	cases := []struct {
		query, want string
	}{
		{"", "hello, world"},
		{"?name=gopher", "hello, gopher"},
		{"?name=%20ada%20", "hello, ada"},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		newHandler(&health.State{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/hello"+c.query, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%q: status %d", c.query, rec.Code)
		}
		var got Greeting
		if err := json.NewDecoder(rec.Body).Decode(&got); err != nil {
			t.Fatalf("%q: decoding: %v", c.query, err)
		}
		if got.Message != c.want {
			t.Errorf("%q: message %q, want %q", c.query, got.Message, c.want)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("%q: Content-Type %q", c.query, ct)
		}
	}
}

func TestHelloRejectsLongNames(t *testing.T) {
	rec := httptest.NewRecorder()
	target := "/v1/hello?name=" + strings.Repeat("x", maxNameLength+1)
	newHandler(&health.State{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", rec.Code)
	}
}

func TestRoutes(t *testing.T) {
	state := &health.State{}
	state.MarkStarted()
	cases := []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, ReadinessPath, 200},
		{http.MethodGet, LivenessPath, 200},
		{http.MethodPost, "/v1/hello", 405},
		{http.MethodGet, "/nope", 404},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		newHandler(state).ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		if rec.Code != c.want {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, rec.Code, c.want)
		}
	}
}
