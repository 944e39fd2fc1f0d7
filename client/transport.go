package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
)

// maxErrorBody caps how much of an error answer is read; error bodies are small.
const maxErrorBody = 1 << 20

// doer is the generated client's HttpRequestDoer: it authenticates, retries, logs and converts
// error answers into *APIError, so every generated call gets the same behaviour.
type doer struct {
	http      *http.Client
	token     string
	userAgent string
	logger    *slog.Logger
	retry     RetryPolicy
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	if d.token != "" {
		req.Header.Set("Authorization", "Bearer "+d.token)
	}
	req.Header.Set("User-Agent", d.userAgent)
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	rreq, err := retryablehttp.FromRequest(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: preparing request: %w", req.Method, req.URL.Path, err)
	}
	state := &retryState{policy: d.retry, method: req.Method}
	rc := &retryablehttp.Client{
		HTTPClient:   d.http,
		RetryMax:     d.retry.MaxAttempts - 1,
		CheckRetry:   state.check,
		Backoff:      state.backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	if d.debug(req.Context()) {
		rc.RequestLogHook = d.logAttempt(rreq)
		rc.ResponseLogHook = d.logAnswer
	}
	resp, err := rc.Do(rreq)
	if err != nil {
		if resp != nil {
			_ = resp.Body.Close()
		}
		return nil, fmt.Errorf("%s %s: %s (after %d attempts)", req.Method, req.URL.Path, d.redact(err.Error()), max(state.attempts, 1))
	}
	if resp.StatusCode < 400 {
		if d.debug(req.Context()) {
			resp.Body = d.logBody(req.Context(), resp.Body)
		}
		return resp, nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
	apiErr := newAPIError(req, resp, body)
	apiErr.scrub(d.redact)
	if d.debug(req.Context()) {
		d.logger.DebugContext(req.Context(), "konnect api error", "body", d.redact(string(body)))
	}
	return nil, apiErr
}

func (d *doer) debug(ctx context.Context) bool {
	return d.logger != nil && d.logger.Enabled(ctx, slog.LevelDebug)
}

func (d *doer) logAttempt(rreq *retryablehttp.Request) func(retryablehttp.Logger, *http.Request, int) {
	body, _ := rreq.BodyBytes()
	return func(_ retryablehttp.Logger, req *http.Request, attempt int) {
		d.logger.DebugContext(req.Context(), "konnect api request",
			"method", req.Method, "url", req.URL.String(), "attempt", attempt+1,
			"headers", d.redactHeaders(req.Header), "body", d.redact(string(body)))
	}
}

func (d *doer) logAnswer(_ retryablehttp.Logger, resp *http.Response) {
	d.logger.DebugContext(resp.Request.Context(), "konnect api response",
		"method", resp.Request.Method, "url", resp.Request.URL.String(), "status", resp.StatusCode,
		"headers", d.redactHeaders(resp.Header))
}

// logBody logs a successful answer's body and hands back an identical reader.
func (d *doer) logBody(ctx context.Context, rc io.ReadCloser) io.ReadCloser {
	body, err := io.ReadAll(rc)
	_ = rc.Close()
	d.logger.DebugContext(ctx, "konnect api response body", "body", d.redact(string(body)))
	return &readCloser{Reader: bytes.NewReader(body), err: err}
}

type readCloser struct {
	io.Reader
	err error
}

func (r *readCloser) Read(p []byte) (int, error) {
	n, err := r.Reader.Read(p)
	if err == io.EOF && r.err != nil {
		return n, r.err
	}
	return n, err
}

func (r *readCloser) Close() error { return nil }

func (d *doer) redactHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		val := strings.Join(v, ", ")
		if strings.EqualFold(k, "Authorization") || strings.EqualFold(k, "Cookie") || strings.EqualFold(k, "Set-Cookie") {
			val = "[REDACTED]"
		}
		out[k] = d.redact(val)
	}
	return out
}

// redact removes the access token wherever it might appear (a body or an error that echoes it).
func (d *doer) redact(s string) string {
	if d.token == "" {
		return s
	}
	return strings.ReplaceAll(s, d.token, "[REDACTED]")
}
