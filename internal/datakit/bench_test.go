package datakit

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkThirdPartyAuthFlow runs the four-node flow per request against a token
// service on loopback. Its ns/op minus BenchmarkTokenCallAlone's is the engine's overhead
// beyond the token call itself.
func BenchmarkThirdPartyAuthFlow(b *testing.B) {
	ts := tokenService(b, nil)
	f := compile(b, thirdPartyAuth(ts.URL+"/auth-token", false))
	b.ReportAllocs()
	for b.Loop() {
		h := newHarness("GET", "/anything?api_key=k", "", nil)
		if exit, err := f.Start(h.env).Access(context.Background()); exit != nil || err != nil {
			b.Fatalf("%+v %v", exit, err)
		}
		if h.upstream.header.Get("Authorization") != "Bearer token-for-k" {
			b.Fatal(h.upstream.header)
		}
	}
}

// BenchmarkTokenCallAlone is the same token request made directly (same transport settings),
// with its JSON answer decoded: the baseline for BenchmarkThirdPartyAuthFlow.
func BenchmarkTokenCallAlone(b *testing.B) {
	ts := tokenService(b, nil)
	client := &http.Client{Transport: (&DefaultTransports{}).RoundTripper(CallOptions{SSLVerify: true})}
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequest(http.MethodPost, ts.URL+"/auth-token", strings.NewReader("grant_type=client_credentials"))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Api-Key", "k")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var tok map[string]string
		err = json.NewDecoder(resp.Body).Decode(&tok)
		_ = resp.Body.Close()
		if err != nil || tok["access_token"] != "token-for-k" {
			b.Fatal(tok, err)
		}
	}
}

// BenchmarkThirdPartyAuthFlowObserved is the same flow in a traced request: each node's
// event rendered in words. Its difference from BenchmarkThirdPartyAuthFlow is what tracing
// costs; an untraced run (Observe nil) pays only nil checks.
func BenchmarkThirdPartyAuthFlowObserved(b *testing.B) {
	ts := tokenService(b, nil)
	f := compile(b, thirdPartyAuth(ts.URL+"/auth-token", false))
	b.ReportAllocs()
	for b.Loop() {
		h := newHarness("GET", "/anything?api_key=k", "", nil)
		var words []string
		h.env.Observe = func(e NodeEvent) { words = append(words, e.String()) }
		if exit, err := f.Start(h.env).Access(context.Background()); exit != nil || err != nil || len(words) != 4 {
			b.Fatalf("%+v %v %v", exit, err, words)
		}
	}
}
