package health

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func status(t *testing.T, h http.Handler) int {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	return rec.Code
}

func TestLifecycle(t *testing.T) {
	var s State
	steps := []struct {
		name                string
		act                 func()
		readiness, liveness int
	}{
		{"starting", func() {}, 503, 503},
		{"started", s.MarkStarted, 200, 200},
		{"draining", s.BeginDrain, 503, 200},
	}
	for _, step := range steps {
		step.act()
		got := [2]int{status(t, s.ReadinessHandler()), status(t, s.LivenessHandler())}
		want := [2]int{step.readiness, step.liveness}
		if got != want {
			t.Errorf("%s: readiness/liveness = %v, want %v", step.name, got, want)
		}
	}
}

func TestDrainBeforeStartIsNotReady(t *testing.T) {
	var s State
	s.BeginDrain()
	s.MarkStarted()
	if s.Ready() {
		t.Fatal("a draining process must never report ready")
	}
}

func TestProbeResponsesAreNotCached(t *testing.T) {
	var s State
	rec := httptest.NewRecorder()
	s.LivenessHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/livez", nil))
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Fatalf("Cache-Control = %q, want no-store", got)
	}
}
