// Package health holds a process's start-up, readiness and liveness state and serves
// the two probe endpoints the warmstart GoService component points the kubelet at.
//
// The answers differ on purpose: readiness says "send me traffic" and turns false as
// soon as shutdown begins; liveness says initialisation finished and the process still
// answers HTTP. The kubelet first asks liveness once the start-up budget is spent, so a
// start that hangs past it is restarted. Liveness never looks at dependencies: a
// database outage must take pods out of rotation, not restart them.
package health

import (
	"net/http"
	"sync/atomic"
)

// State is safe for concurrent use; the zero value is "starting".
type State struct {
	started  atomic.Bool
	draining atomic.Bool
}

// MarkStarted records that initialisation is complete.
func (s *State) MarkStarted() { s.started.Store(true) }

// BeginDrain makes readiness fail from now on; in-flight requests still complete.
func (s *State) BeginDrain() { s.draining.Store(true) }

// Started reports whether initialisation is complete.
func (s *State) Started() bool { return s.started.Load() }

// Ready reports whether the process should receive new traffic.
func (s *State) Ready() bool { return s.started.Load() && !s.draining.Load() }

// ReadinessHandler answers the readinessProbe.
func (s *State) ReadinessHandler() http.Handler { return probe(s.Ready) }

// LivenessHandler answers the livenessProbe: started, and reached at all.
func (s *State) LivenessHandler() http.Handler { return probe(s.Started) }

func probe(ok func() bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if ok() {
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte("ok\n"))
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("unavailable\n"))
	})
}
