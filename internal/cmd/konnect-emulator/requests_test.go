package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// syncBuffer is a bytes.Buffer that the follower writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRequestsFollowPrintsNewTraces(t *testing.T) {
	t.Parallel()
	emu, err := emulator.Start(context.Background(), emulator.Options{Tokens: []string{"kpat_follow_test"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runRequests(ctx, []string{"--follow", "--api-url", emu.URL, "--token", "kpat_follow_test", "--interval", "50ms"}, &out)
	}()
	resp, err := http.Get(emu.ProxyURL + "/nothing/here")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	id := resp.Header.Get("X-Kong-Request-Id")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), id) {
		if time.Now().After(deadline) {
			t.Fatalf("no trace of %s printed; output: %q", id, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	got := out.String()
	if !strings.Contains(got, "GET ") || !strings.Contains(got, "/nothing/here -> 404: no route matched") {
		t.Fatalf("output: %s", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("follow ended with %v", err)
	}
	// A wrong token is an error, not an empty follow.
	if err := runRequests(context.Background(), []string{"--api-url", emu.URL, "--token", "wrong"}, &out); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong token: %v", err)
	}
}
