package sidecar

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"
)

// BenchmarkSidecarAddedLatency sends the same GET, interleaved, straight to the echo service,
// through a sidecar with no policy, and through a sidecar enforcing the documented JWT policy
// (valid admin token, so every request reaches the service), and prints the p50 of each, what
// the sidecar adds and the ratio to the direct call. (make bench runs it once: the requests
// counted are the loop's, not b.N.)
func BenchmarkSidecarAddedLatency(b *testing.B) {
	const requests = 2000
	withPolicy := newTestMesh(b)
	withPolicy.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(b, "jwt", inlinePolicy(readPolicy(b, "jwt_v0.rego"), nil))}})
	plain := newTestMesh(b)
	plain.apply(Resources{})
	auth := bearer(b, "admin", time.Hour)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	timed := func(url string) time.Duration {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", auth)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		elapsed := time.Since(start)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d", url, resp.StatusCode)
		}
		return elapsed
	}
	directURL := withPolicy.upstream.URL + "/people"
	plainURL := "http://127.0.0.1:" + strconv.Itoa(plain.port) + "/people"
	policyURL := "http://127.0.0.1:" + strconv.Itoa(withPolicy.port) + "/people"

	var direct, proxied, authorized []time.Duration
	for range b.N {
		direct, proxied, authorized = direct[:0], proxied[:0], authorized[:0]
		for range requests {
			direct = append(direct, timed(directURL))
			proxied = append(proxied, timed(plainURL))
			authorized = append(authorized, timed(policyURL))
		}
	}
	p50 := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
	pDirect, pProxied, pAuthorized := p50(direct), p50(proxied), p50(authorized)
	added := pAuthorized - pDirect
	ratio := float64(pAuthorized) / float64(pDirect)
	fmt.Printf("mesh sidecar, p50 of %d requests each: direct %s, sidecar without policy %s, sidecar with the JWT MeshOPA %s; "+
		"added by the sidecar with the policy %s (%.2fx the direct call)\n", requests, pDirect, pProxied, pAuthorized, added, ratio)
	b.ReportMetric(float64(pDirect.Nanoseconds())/1000, "µs-direct-p50")
	b.ReportMetric(float64(pAuthorized.Nanoseconds())/1000, "µs-sidecar-p50")
	b.ReportMetric(float64(added.Nanoseconds())/1000, "µs-added-p50")
	b.ReportMetric(ratio, "x-direct")
}
