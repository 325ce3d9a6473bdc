package process

import (
	"testing"
	"time"
)

func env(values map[string]string) func(string) string {
	return func(name string) string { return values[name] }
}

func TestShutdownTimeout(t *testing.T) {
	for text, want := range map[string]time.Duration{"": DefaultShutdownTimeout, "45s": 45 * time.Second} {
		got, err := ShutdownTimeout(env(map[string]string{"SHUTDOWN_TIMEOUT": text}))
		if err != nil || got != want {
			t.Errorf("%q: got %v, %v; want %v", text, got, err, want)
		}
	}
	for _, text := range []string{"0s", "-1s", "soon"} {
		if _, err := ShutdownTimeout(env(map[string]string{"SHUTDOWN_TIMEOUT": text})); err == nil {
			t.Errorf("%q was accepted", text)
		}
	}
}

func TestValueOr(t *testing.T) {
	if ValueOr("", "8080") != "8080" || ValueOr("9090", "8080") != "9090" {
		t.Fatal("ValueOr")
	}
}
