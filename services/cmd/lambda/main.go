// Command lambda is the reference service's Lambda fallback: the same routes as cmd/hello,
// served to ALB Lambda target events. Built for provided.al2023 arm64 as `bootstrap`
// (`make lambda`), with -tags lambda.norpc so only the Runtime API client is linked in.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/warmstart/warmstart/services/internal/albhttp"
	"github.com/warmstart/warmstart/services/internal/app"
	"github.com/warmstart/warmstart/services/internal/health"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	// A Lambda instance only receives events once init is done, so it is started and ready.
	state := &health.State{}
	state.MarkStarted()
	greeting := os.Getenv("GREETING")
	if greeting == "" {
		greeting = "hello"
	}
	handler := app.New(app.Config{Greeting: greeting}, state, logger)
	lambda.Start(albhttp.Handler(handler))
}
