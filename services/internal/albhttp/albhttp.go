// Package albhttp serves an http.Handler to Application Load Balancer Lambda target events,
// so the Lambda fallback runs exactly the handler the pods and Fargate tasks run.
//
// ALB sends query parameters as they arrived (still percent-encoded) and, when the target
// group has multi-value headers enabled, every header and parameter as a list; the response
// must use the same shape the request used.
package albhttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Handler adapts h to the ALB Lambda target event shape.
func Handler(h http.Handler) func(context.Context, events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	return func(ctx context.Context, event events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		request, err := toRequest(ctx, event)
		if err != nil {
			return events.ALBTargetGroupResponse{}, err
		}
		recorder := newRecorder()
		h.ServeHTTP(recorder, request)
		return recorder.response(multiValue(event)), nil
	}
}

func multiValue(event events.ALBTargetGroupRequest) bool {
	return event.MultiValueHeaders != nil || event.MultiValueQueryStringParameters != nil
}

func toRequest(ctx context.Context, event events.ALBTargetGroupRequest) (*http.Request, error) {
	body := []byte(event.Body)
	if event.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(event.Body)
		if err != nil {
			return nil, fmt.Errorf("decoding base64 body: %w", err)
		}
		body = decoded
	}
	// ALB passes the path as the client sent it, already percent-encoded: parse it as a
	// request URI (keeping that encoding as RawPath), never escape it a second time.
	target := event.Path
	if query := rawQuery(event); query != "" {
		target += "?" + query
	}
	request, err := http.NewRequestWithContext(ctx, event.HTTPMethod, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("building request: %w", err)
	}
	for name, values := range headers(event) {
		for _, value := range values {
			request.Header.Add(name, value)
		}
	}
	request.Host = request.Header.Get("Host")
	request.RemoteAddr = firstForwardedFor(request.Header.Get("X-Forwarded-For"))
	request.ContentLength = int64(len(body))
	return request, nil
}

// rawQuery keeps ALB's encoding as is; keys are sorted so the result is deterministic.
func rawQuery(event events.ALBTargetGroupRequest) string {
	values := event.MultiValueQueryStringParameters
	if values == nil {
		values = make(map[string][]string, len(event.QueryStringParameters))
		for key, value := range event.QueryStringParameters {
			values[key] = []string{value}
		}
	}
	keys := make([]string, 0, len(values))
	for key := range values {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	var parts []string
	for _, key := range keys {
		for _, value := range values[key] {
			parts = append(parts, key+"="+value)
		}
	}
	return strings.Join(parts, "&")
}

func headers(event events.ALBTargetGroupRequest) map[string][]string {
	if event.MultiValueHeaders != nil {
		return event.MultiValueHeaders
	}
	single := make(map[string][]string, len(event.Headers))
	for name, value := range event.Headers {
		single[name] = []string{value}
	}
	return single
}

func firstForwardedFor(header string) string {
	first, _, _ := strings.Cut(header, ",")
	return strings.TrimSpace(first)
}

// recorder is the smallest http.ResponseWriter that can become an ALB response.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}

func (r *recorder) response(multi bool) events.ALBTargetGroupResponse {
	r.WriteHeader(http.StatusOK)
	response := events.ALBTargetGroupResponse{
		StatusCode:        r.status,
		StatusDescription: fmt.Sprintf("%d %s", r.status, http.StatusText(r.status)),
	}
	if textual(r.header.Get("Content-Type")) {
		response.Body = r.body.String()
	} else if r.body.Len() > 0 {
		response.Body = base64.StdEncoding.EncodeToString(r.body.Bytes())
		response.IsBase64Encoded = true
	}
	if multi {
		response.MultiValueHeaders = map[string][]string(r.header)
	} else {
		response.Headers = make(map[string]string, len(r.header))
		for name := range r.header {
			response.Headers[name] = r.header.Get(name)
		}
	}
	return response
}

func textual(contentType string) bool {
	mediaType, _, _ := strings.Cut(contentType, ";")
	mediaType = strings.TrimSpace(strings.ToLower(mediaType))
	return strings.HasPrefix(mediaType, "text/") ||
		mediaType == "application/json" ||
		strings.HasSuffix(mediaType, "+json") ||
		mediaType == "application/xml" ||
		mediaType == "application/javascript"
}
