package albhttp

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/warmstart/warmstart/services/internal/app"
	"github.com/warmstart/warmstart/services/internal/health"
)

func fixture(t *testing.T, name string) events.ALBTargetGroupRequest {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var event events.ALBTargetGroupRequest
	if err := json.Unmarshal(raw, &event); err != nil {
		t.Fatal(err)
	}
	return event
}

func service() http.Handler {
	state := &health.State{}
	state.MarkStarted()
	return app.New(app.Config{Greeting: "hello"}, state, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestServesTheAppForASingleValueEvent(t *testing.T) {
	response, err := Handler(service())(context.Background(), fixture(t, "single-value.json"))
	if err != nil {
		t.Fatal(err)
	}
	if response.StatusCode != 200 || response.StatusDescription != "200 OK" {
		t.Fatalf("status %d %q", response.StatusCode, response.StatusDescription)
	}
	if response.Body != "{\"message\":\"hello, gopher team\"}\n" || response.IsBase64Encoded {
		t.Fatalf("body %q (base64 %v)", response.Body, response.IsBase64Encoded)
	}
	if response.Headers["Content-Type"] != "application/json" || response.MultiValueHeaders != nil {
		t.Fatalf("headers %v / multi %v", response.Headers, response.MultiValueHeaders)
	}
}

func TestMultiValueEventsGetMultiValueResponses(t *testing.T) {
	var seen *http.Request
	capture := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		w.Header().Add("X-Reply", "1")
		w.Header().Add("X-Reply", "2")
		w.WriteHeader(http.StatusAccepted)
	})
	response, err := Handler(capture)(context.Background(), fixture(t, "multi-value.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := seen.URL.Query()["name"]; !reflect.DeepEqual(got, []string{"first", "second"}) {
		t.Errorf("query name = %v", got)
	}
	if got := seen.Header.Values("X-Custom"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("X-Custom = %v", got)
	}
	if seen.Host != "hello.example.com" || seen.RemoteAddr != "198.51.100.20" {
		t.Errorf("host %q remote %q", seen.Host, seen.RemoteAddr)
	}
	if response.StatusCode != 202 || response.StatusDescription != "202 Accepted" {
		t.Errorf("status %d %q", response.StatusCode, response.StatusDescription)
	}
	if got := response.MultiValueHeaders["X-Reply"]; !reflect.DeepEqual(got, []string{"1", "2"}) {
		t.Errorf("X-Reply = %v", got)
	}
	if response.Headers != nil {
		t.Errorf("single-value headers set on a multi-value response: %v", response.Headers)
	}
}

func TestBinaryBodiesRoundTripAsBase64(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(append(body, 5))
	})
	response, err := Handler(echo)(context.Background(), fixture(t, "post-base64.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !response.IsBase64Encoded || response.Body != "AAECAwQF" {
		t.Fatalf("body %q base64 %v", response.Body, response.IsBase64Encoded)
	}
}

func TestForwardedForTakesTheClient(t *testing.T) {
	var remote string
	probe := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { remote = r.RemoteAddr })
	if _, err := Handler(probe)(context.Background(), fixture(t, "single-value.json")); err != nil {
		t.Fatal(err)
	}
	if remote != "203.0.113.7" {
		t.Fatalf("RemoteAddr %q, want the first X-Forwarded-For entry", remote)
	}
}

func TestBadBase64IsAnError(t *testing.T) {
	event := fixture(t, "post-base64.json")
	event.Body = "not base64!"
	if _, err := Handler(service())(context.Background(), event); err == nil {
		t.Fatal("want an error for an undecodable body")
	}
}

func TestNotFoundPassesThrough(t *testing.T) {
	event := fixture(t, "single-value.json")
	event.Path = "/nope"
	response, err := Handler(service())(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	if response.StatusCode != 404 || response.StatusDescription != "404 Not Found" {
		t.Fatalf("status %d %q", response.StatusCode, response.StatusDescription)
	}
}

func TestAnEncodedPathReachesTheHandlerAsSent(t *testing.T) {
	var escaped, decoded string
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		escaped, decoded = r.URL.EscapedPath(), r.URL.Path
		w.WriteHeader(http.StatusNoContent)
	})
	event := events.ALBTargetGroupRequest{HTTPMethod: "GET", Path: "/v1/files/a%2Fb%20c", QueryStringParameters: map[string]string{"q": "x%2By"}}
	response, err := Handler(handler)(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	if response.StatusCode != http.StatusNoContent {
		t.Fatalf("status %d", response.StatusCode)
	}
	if escaped != "/v1/files/a%2Fb%20c" || decoded != "/v1/files/a/b c" {
		t.Fatalf("escaped %q, decoded %q", escaped, decoded)
	}
}
