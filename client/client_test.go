package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

const testToken = "kpat_TESTtokenVALUE0123456789abcdefghijklmnopqrstuv"

var cpID = uuid.MustParse("9e1b2c6e-5d34-4f1b-9a1d-2f6a2f3b4c5d")

func fastRetries(attempts int) client.RetryPolicy {
	return client.RetryPolicy{MaxAttempts: attempts, MinWait: 5 * time.Millisecond, MaxWait: 20 * time.Millisecond, MaxTotalWait: 10 * time.Second}
}

func newClient(t *testing.T, url string, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(url, append([]client.Option{client.WithPersonalAccessToken(testToken), client.WithRetryPolicy(fastRetries(4))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func consumerJSON(id string) map[string]any {
	return map[string]any{"id": id, "username": "alice", "created_at": 1700000000}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusTooManyRequests, map[string]any{"status": 429, "title": "Too Many Requests", "instance": "kong:trace:1", "detail": "slow down"})
			return
		}
		writeJSON(w, http.StatusOK, consumerJSON("c1"))
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)

	start := time.Now()
	resp, err := c.GetConsumerWithResponse(context.Background(), cpID, "c1")
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("expected success after one retry, got %v", err)
	}
	if got := *resp.JSON200.Username; got != "alice" {
		t.Fatalf("username = %q", got)
	}
	if calls.Load() != 2 {
		t.Fatalf("calls = %d, want 2", calls.Load())
	}
	// The upper bound is loose (a loaded machine may be slow to serve the two calls); what it
	// rules out is waiting for much more than was asked.
	if elapsed < 950*time.Millisecond || elapsed > 5*time.Second {
		t.Fatalf("waited %s, want about the 1s Retry-After asked for", elapsed)
	}
}

func TestServiceUnavailableTwiceThenOK(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": 503, "title": "Service Unavailable", "instance": "kong:trace:2", "detail": "try later"})
			return
		}
		writeJSON(w, http.StatusOK, consumerJSON("c1"))
	}))
	defer srv.Close()

	if _, err := newClient(t, srv.URL).GetConsumerWithResponse(context.Background(), cpID, "c1"); err != nil {
		t.Fatalf("expected success on the third attempt, got %v", err)
	}
	if calls.Load() != 3 {
		t.Fatalf("calls = %d, want 3", calls.Load())
	}
}

func TestGivesUpAfterConfiguredAttemptsWithLastError(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		writeJSON(w, http.StatusBadGateway, map[string]any{"status": 502, "title": "Bad Gateway", "instance": "kong:trace:" + strconv.Itoa(int(n)), "detail": fmt.Sprintf("attempt %d failed", n)})
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, client.WithRetryPolicy(fastRetries(3)))

	_, err := c.GetConsumerWithResponse(context.Background(), cpID, "c1")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want *APIError, got %T %v", err, err)
	}
	if calls.Load() != 3 {
		t.Fatalf("calls = %d, want 3", calls.Load())
	}
	if apiErr.StatusCode != http.StatusBadGateway || apiErr.Message != "attempt 3 failed" || apiErr.RequestID != "kong:trace:3" {
		t.Fatalf("want the last answer, got %+v", apiErr)
	}
}

func TestTotalWaitBudgetEndsRetries(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "120")
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"status": 429, "title": "Too Many Requests", "instance": "kong:trace:9", "detail": "rate limited"})
	}))
	defer srv.Close()
	c := newClient(t, srv.URL) // 10s budget: a 120s Retry-After is not waited for

	start := time.Now()
	_, err := c.GetConsumerWithResponse(context.Background(), cpID, "c1")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests || apiErr.RetryAfter != "120" {
		t.Fatalf("want the 429 back, got %v", err)
	}
	// Loose, for a loaded machine: waiting out the Retry-After, or the 10s budget, is far longer.
	if calls.Load() != 1 || time.Since(start) > 5*time.Second {
		t.Fatalf("calls = %d after %s; want one call and no wait", calls.Load(), time.Since(start))
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 409, 500} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				writeJSON(w, status, map[string]any{"code": 3, "message": "nope"})
			}))
			defer srv.Close()
			_, err := newClient(t, srv.URL).GetConsumerWithResponse(context.Background(), cpID, "c1")
			var apiErr *client.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
				t.Fatalf("want APIError %d, got %v", status, err)
			}
			if calls.Load() != 1 {
				t.Fatalf("calls = %d, want 1", calls.Load())
			}
		})
	}
}

func TestErrorFormatsAreParsed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		status     int
		contentTyp string
		body       string
		check      func(t *testing.T, e *client.APIError)
		wantString string
	}{
		{
			name: "core entity field validation", status: 400, contentTyp: "application/json",
			body: `{"code":3,"message":"validation error","details":[{"@type":"type.googleapis.com/kong.admin.model.v1.ErrorDetail","type":"ERROR_TYPE_FIELD","field":"username","messages":["must not be empty"]}]}`,
			check: func(t *testing.T, e *client.APIError) {
				if e.Code != 3 || e.Message != "validation error" || len(e.Fields) != 1 || e.Fields[0].Field != "username" ||
					e.Fields[0].Type != "ERROR_TYPE_FIELD" || e.Fields[0].Messages[0] != "must not be empty" {
					t.Fatalf("%+v", e)
				}
			},
			wantString: "PUT /v2/control-planes/" + cpID.String() + "/core-entities/consumers/c1: 400 validation error: username: must not be empty",
		},
		{
			name: "core entity unique clash", status: 400, contentTyp: "application/json",
			body: `{"code":3,"message":"data constraint error","details":[{"@type":"type.googleapis.com/kong.admin.model.v1.ErrorDetail","type":"ERROR_TYPE_REFERENCE","field":"username","messages":["username (type: unique) constraint failed"]}]}`,
			check: func(t *testing.T, e *client.APIError) {
				if !client.IsConflict(e) || client.IsNotFound(e) || e.Fields[0].Type != "ERROR_TYPE_REFERENCE" {
					t.Fatalf("want a conflict: %+v", e)
				}
			},
			wantString: "400 data constraint error: username: username (type: unique) constraint failed",
		},
		{
			name: "core entity entity-level message", status: 400, contentTyp: "application/json",
			body: `{"code":3,"message":"validation error","details":[{"@type":"x","type":"ERROR_TYPE_ENTITY","messages":["at least one of these fields must be non-empty: 'custom_id', 'username'"]}]}`,
			check: func(t *testing.T, e *client.APIError) {
				if e.Fields[0].Field != "" || e.Fields[0].Type != "ERROR_TYPE_ENTITY" || client.IsConflict(e) {
					t.Fatalf("%+v", e)
				}
			},
			wantString: "400 validation error: at least one of these fields must be non-empty: 'custom_id', 'username'",
		},
		{
			name: "problem+json bad request", status: 400, contentTyp: "application/problem+json",
			body: `{"status":400,"title":"Bad Request","instance":"kong:trace:123","detail":"bad request","invalid_parameters":[{"field":"name","rule":"min_length","reason":"must have at least 2 characters","source":"body","minimum":2}]}`,
			check: func(t *testing.T, e *client.APIError) {
				if e.Title != "Bad Request" || e.RequestID != "kong:trace:123" || e.Fields[0].Field != "name" || e.Fields[0].Rule != "min_length" {
					t.Fatalf("%+v", e)
				}
			},
			wantString: "400 bad request: name: must have at least 2 characters",
		},
		{
			name: "problem+json conflict", status: 409, contentTyp: "application/problem+json",
			body: `{"status":409,"title":"Conflict","instance":"kong:trace:5","detail":"Key (org_id, name)=(o, cp-1) already exists."}`,
			check: func(t *testing.T, e *client.APIError) {
				if !client.IsConflict(e) || e.Message != "Key (org_id, name)=(o, cp-1) already exists." {
					t.Fatalf("%+v", e)
				}
			},
			wantString: "409 Key (org_id, name)=(o, cp-1) already exists.",
		},
		{
			name: "gateway unauthorized", status: 401, contentTyp: "application/json",
			body:       `{"message":"Unauthorized","status":401}`,
			check:      func(t *testing.T, e *client.APIError) { _ = e },
			wantString: "401 Unauthorized",
		},
		{
			name: "not found", status: 404, contentTyp: "application/json",
			body: `{"code":5,"message":"not found"}`,
			check: func(t *testing.T, e *client.APIError) {
				if !client.IsNotFound(e) || e.Code != 5 {
					t.Fatalf("%+v", e)
				}
			},
			wantString: "404 not found",
		},
		{
			name: "not JSON", status: 400, contentTyp: "text/html",
			body:       "<html>\n<body>bad\n gateway</body></html>",
			check:      func(t *testing.T, e *client.APIError) { _ = e },
			wantString: "400 <html> <body>bad gateway</body></html>",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentTyp)
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			_, err := newClient(t, srv.URL).UpsertConsumerWithResponse(context.Background(), cpID, "c1", client.Consumer{})
			var apiErr *client.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("want *APIError, got %v", err)
			}
			if apiErr.StatusCode != tc.status || apiErr.Method != http.MethodPut {
				t.Fatalf("status/method: %+v", apiErr)
			}
			tc.check(t, apiErr)
			if !strings.HasSuffix(err.Error(), tc.wantString) {
				t.Fatalf("Error() = %q\nwant suffix %q", err.Error(), tc.wantString)
			}
		})
	}
}

// pagedConsumers serves n consumers Kong-style, in pages of the requested size.
func pagedConsumers(t *testing.T, n int) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.Atoi(r.URL.Query().Get("size"))
		if size == 0 {
			size = 100
		}
		start := 0
		if off := r.URL.Query().Get("offset"); off != "" {
			var err error
			if start, err = strconv.Atoi(strings.TrimPrefix(off, "o-")); err != nil {
				t.Errorf("bad offset %q", off)
			}
		}
		end := min(start+size, n)
		data := []map[string]any{}
		for i := start; i < end; i++ {
			data = append(data, map[string]any{"id": fmt.Sprintf("id-%05d", i), "username": fmt.Sprintf("user-%05d", i)})
		}
		body := map[string]any{"data": data, "next": nil}
		if end < n {
			body["offset"] = fmt.Sprintf("o-%d", end)
			body["next"] = r.URL.Path + "?offset=" + fmt.Sprintf("o-%d", end)
		}
		writeJSON(w, http.StatusOK, body)
	}))
}

func TestOffsetPaginationYieldsEachItemOnceInOrder(t *testing.T) {
	t.Parallel()
	const n = 2500
	srv := pagedConsumers(t, n)
	defer srv.Close()
	c := newClient(t, srv.URL)
	size := 1000
	i := 0
	for consumer, err := range c.Consumers(context.Background(), cpID, client.ListConsumerParams{Size: &size}) {
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("id-%05d", i); *consumer.Id != want {
			t.Fatalf("item %d is %s, want %s", i, *consumer.Id, want)
		}
		i++
	}
	if i != n {
		t.Fatalf("got %d items, want %d", i, n)
	}
}

func TestOffsetPaginationStopsEarlyAndOnRepeatedOffset(t *testing.T) {
	t.Parallel()
	srv := pagedConsumers(t, 2500)
	defer srv.Close()
	c := newClient(t, srv.URL)
	got := 0
	for _, err := range c.Consumers(context.Background(), cpID, client.ListConsumerParams{}) {
		if err != nil {
			t.Fatal(err)
		}
		if got++; got == 150 {
			break
		}
	}
	if got != 150 {
		t.Fatalf("break did not stop the walk: %d", got)
	}

	loop := client.All(context.Background(), func(ctx context.Context, off *string) ([]int, *string, error) {
		same := "again"
		return []int{1}, &same, nil
	})
	var lastErr error
	for _, err := range loop {
		lastErr = err
	}
	if lastErr == nil || !strings.Contains(lastErr.Error(), "twice") {
		t.Fatalf("want a repeated-offset error, got %v", lastErr)
	}
}

func TestNumberedPaginationYieldsEachItemOnceInOrder(t *testing.T) {
	t.Parallel()
	const n = 2500
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.Atoi(r.URL.Query().Get("page[size]"))
		number, _ := strconv.Atoi(r.URL.Query().Get("page[number]"))
		if size == 0 {
			size = 10
		}
		data := []map[string]any{}
		for i := (number - 1) * size; i < min(number*size, n); i++ {
			data = append(data, map[string]any{"id": uuid.NewSHA1(uuid.Nil, []byte(strconv.Itoa(i))).String(), "name": fmt.Sprintf("cp-%05d", i)})
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": data, "meta": map[string]any{"page": map[string]any{"number": number, "size": size, "total": n}}})
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)
	size := 100
	i := 0
	for cp, err := range c.ControlPlanes(context.Background(), client.ListControlPlanesParams{PageSize: &size}) {
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("cp-%05d", i); cp.Name != want {
			t.Fatalf("item %d is %s, want %s", i, cp.Name, want)
		}
		i++
	}
	if i != n {
		t.Fatalf("got %d items, want %d", i, n)
	}
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestTokenNeverAppearsInLogsOrErrors(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	// A hostile server that echoes the Authorization header in headers and bodies.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if auth != "Bearer "+testToken {
			t.Errorf("Authorization = %q", auth)
		}
		w.Header().Set("X-Echo", auth)
		switch calls.Add(1) {
		case 1:
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": 503, "title": "x", "instance": "i", "detail": "saw " + auth})
		case 2:
			writeJSON(w, http.StatusOK, map[string]any{"id": "c1", "username": auth})
		default:
			writeJSON(w, http.StatusBadRequest, map[string]any{"code": 3, "message": "bad token " + auth,
				"details": []map[string]any{{"field": "username", "messages": []string{auth}}}})
		}
	}))
	defer srv.Close()
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, srv.URL, client.WithLogger(logger))

	if _, err := c.UpsertConsumerWithResponse(context.Background(), cpID, "c1", client.Consumer{Username: ptr(testToken)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetConsumerWithResponse(context.Background(), cpID, "c1")
	if err == nil {
		t.Fatal("want an error")
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	_, connErr := newClient(t, dead.URL, client.WithLogger(logger)).GetConsumerWithResponse(context.Background(), cpID, "c1")
	if connErr == nil {
		t.Fatal("want a connection error")
	}

	out := logs.String()
	for what, s := range map[string]string{"logs": out, "api error": err.Error(), "connection error": connErr.Error()} {
		if strings.Contains(s, testToken) || strings.Contains(s, testToken[:20]) {
			t.Fatalf("token leaked into %s: %s", what, s)
		}
	}
	if !strings.Contains(out, "konnect api request") || !strings.Contains(out, "[REDACTED]") || !strings.Contains(out, `"status":503`) {
		t.Fatalf("debug log lacks the expected records:\n%s", out)
	}
}

func ptr[T any](v T) *T { return &v }

// entityStore is a tiny server with upsert-by-id semantics that drops the connection instead of
// answering the first write, as a network failure after the server committed would.
type entityStore struct {
	mu       sync.Mutex
	entities map[string]json.RawMessage
	writes   int
}

func (s *entityStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body json.RawMessage
	_ = json.NewDecoder(r.Body).Decode(&body)
	s.mu.Lock()
	switch r.Method {
	case http.MethodPut:
		id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		s.entities[id] = body
	case http.MethodPost:
		s.entities[uuid.NewString()] = body
	}
	s.writes++
	first := s.writes == 1
	s.mu.Unlock()
	if first {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return
	}
	writeJSON(w, http.StatusOK, consumerJSON("x"))
}

func TestPutCreateRetriedAfterDroppedAnswerLeavesOneEntity(t *testing.T) {
	t.Parallel()
	store := &entityStore{entities: map[string]json.RawMessage{}}
	srv := httptest.NewServer(store)
	defer srv.Close()
	c := newClient(t, srv.URL)

	id, _, err := client.Create(context.Background(), c.UpsertConsumerWithResponse, cpID, client.Consumer{Username: ptr("alice")})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := uuid.Parse(id); err != nil {
		t.Fatalf("id %q is not a UUID", id)
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	if store.writes != 2 || len(store.entities) != 1 || store.entities[id] == nil {
		t.Fatalf("writes=%d entities=%d; want the PUT sent twice and one entity under %s", store.writes, len(store.entities), id)
	}
}

func TestPostIsNotRepeatedAfterDroppedAnswer(t *testing.T) {
	t.Parallel()
	store := &entityStore{entities: map[string]json.RawMessage{}}
	srv := httptest.NewServer(store)
	defer srv.Close()
	_, err := newClient(t, srv.URL).CreateConsumerWithResponse(context.Background(), cpID, client.Consumer{Username: ptr("alice")})
	if err == nil {
		t.Fatal("want the dropped answer reported")
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	if store.writes != 1 {
		t.Fatalf("POST sent %d times; a POST that may have reached the server must not be repeated", store.writes)
	}
}

func TestRefusedConnectionIsRetriedEvenForPost(t *testing.T) {
	t.Parallel()
	// Reserve a port, then start serving on it only after the first attempt was refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	c, err := client.New("http://"+addr, client.WithPersonalAccessToken(testToken),
		// Attempts enough to wait for the server however slowly a loaded machine starts it.
		client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 300, MinWait: 100 * time.Millisecond, MaxWait: 200 * time.Millisecond, MaxTotalWait: time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	srvErr := make(chan error, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, consumerJSON("c9"))
	})}
	go func() {
		time.Sleep(150 * time.Millisecond)
		l2, err := net.Listen("tcp", addr)
		if err != nil {
			srvErr <- err
			return
		}
		srvErr <- srv.Serve(l2)
	}()
	defer func() { _ = srv.Close() }()
	resp, err := c.CreateConsumerWithResponse(context.Background(), cpID, client.Consumer{Username: ptr("alice")})
	if err != nil {
		select {
		case e := <-srvErr:
			t.Skipf("could not re-listen on %s: %v", addr, e)
		default:
		}
		t.Fatalf("want success once the server is up, got %v", err)
	}
	if resp.JSON201 == nil || *resp.JSON201.Id != "c9" {
		t.Fatalf("unexpected answer %+v", resp)
	}
}

func TestNewRejectsBadSettings(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]func() error{
		"relative URL": func() error { _, err := client.New("api.konghq.com"); return err },
		"empty token": func() error {
			_, err := client.New("https://us.api.konghq.com", client.WithPersonalAccessToken(" "))
			return err
		},
		"zero attempts": func() error {
			_, err := client.New("https://x", client.WithRetryPolicy(client.RetryPolicy{}))
			return err
		},
		"bad timeout": func() error { _, err := client.New("https://x", client.WithTimeout(0)); return err },
	} {
		if err := f(); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

// Only a request that cannot have changed anything twice is repeated: a 429 refuses before
// acting, so any method is retried after it; a 502, 503 or 504 may follow a change the server
// made, so only idempotent methods are retried after those.
func TestRetriedStatusesDependOnTheMethod(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPost, http.MethodPatch} {
		for _, status := range []int{http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
			t.Run(fmt.Sprintf("%s %d", method, status), func(t *testing.T) {
				t.Parallel()
				var served atomic.Int32
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if served.Add(1) == 1 {
						writeJSON(w, status, map[string]any{"status": status, "title": "failed", "instance": "kong:trace:1", "detail": "failed"})
						return
					}
					writeJSON(w, http.StatusOK, consumerJSON("c1"))
				}))
				defer srv.Close()
				c := newClient(t, srv.URL)
				ctx, alice := context.Background(), client.Consumer{Username: ptr("alice")}
				calls := map[string]func() (*http.Response, error){
					http.MethodGet:    func() (*http.Response, error) { return c.GetConsumer(ctx, cpID, "c1") },
					http.MethodPut:    func() (*http.Response, error) { return c.UpsertConsumer(ctx, cpID, "c1", alice) },
					http.MethodDelete: func() (*http.Response, error) { return c.DeleteConsumer(ctx, cpID, "c1") },
					http.MethodPost:   func() (*http.Response, error) { return c.CreateConsumer(ctx, cpID, alice) },
					http.MethodPatch: func() (*http.Response, error) {
						return c.UpdateControlPlane(ctx, cpID, client.UpdateControlPlaneRequest{Name: ptr("x")})
					},
				}
				resp, err := calls[method]()
				if resp != nil {
					_ = resp.Body.Close()
				}
				wantRetry := status == http.StatusTooManyRequests || method != http.MethodPost && method != http.MethodPatch
				switch {
				case wantRetry && (err != nil || served.Load() != 2):
					t.Fatalf("want one retry and success; got %d calls, err %v", served.Load(), err)
				case !wantRetry && (err == nil || served.Load() != 1):
					t.Fatalf("want no retry and the %d back; got %d calls, err %v", status, served.Load(), err)
				}
			})
		}
	}
}
