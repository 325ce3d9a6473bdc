// Package app is the reference service's HTTP surface: the probe endpoints plus one API
// route. It builds an http.Handler and nothing else, so the same code can be served by a
// plain net/http server on Kubernetes or Fargate and, later, by the Lambda entry point.
package app

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/warmstart/warmstart/services/internal/health"
)

// Probe paths; the GoService component's HTTP defaults point at these.
const (
	ReadinessPath = "/readyz"
	LivenessPath  = "/livez"
)

// maxNameLength bounds what one request can make the service echo back.
const maxNameLength = 64

// Config is what the service reads from its environment.
type Config struct {
	Greeting string
}

// Greeting is the API route's response body.
type Greeting struct {
	Message string `json:"message"`
}

// New returns the service's routes, answering the probes from state.
func New(cfg Config, state *health.State, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+ReadinessPath, state.ReadinessHandler())
	mux.Handle("GET "+LivenessPath, state.LivenessHandler())
	mux.HandleFunc("GET /v1/hello", func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimSpace(r.URL.Query().Get("name"))
		if name == "" {
			name = "world"
		}
		if len(name) > maxNameLength {
			http.Error(w, "name too long", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(Greeting{Message: cfg.Greeting + ", " + name}); err != nil {
			logger.Warn("writing response", "err", err)
		}
	})
	return mux
}
