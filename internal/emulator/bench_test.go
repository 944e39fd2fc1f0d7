package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// The figures these benchmarks print go in the README. Each compares the emulator with a
// baseline measured in the same run: a bare net/http server that decodes the same request
// and answers the same status, through the same client. The ratio is what the emulator's
// validation, store and indexes cost.

func benchClient(b *testing.B, url string) *client.Client {
	b.Helper()
	c, err := client.New(url, client.WithPersonalAccessToken(emulator.DevelopmentToken))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func baselineServer() *httptest.Server {
	var n atomic.Int64
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var c map[string]any
		_ = json.NewDecoder(r.Body).Decode(&c)
		c["id"], c["created_at"], c["updated_at"] = uuid.NewString(), n.Add(1), n.Load()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(c)
	}))
}

// createRate runs creates from 8 goroutines for the given time and returns creates per second.
// (testing.Benchmark cannot be nested inside a benchmark, so the clock is read here.)
func createRate(b *testing.B, c *client.Client, cp client.ControlPlaneId, d time.Duration) float64 {
	var seq, done atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	start := time.Now()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				name := fmt.Sprintf("bench-%d", seq.Add(1))
				if _, _, err := client.Create(context.Background(), c.UpsertConsumerWithResponse, cp, client.Consumer{Username: &name}); err != nil {
					b.Error(err)
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(done.Load()) / time.Since(start).Seconds()
}

func BenchmarkConsumerCreate(b *testing.B) {
	emu, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = emu.Close() }()
	base := baselineServer()
	defer base.Close()
	cp := uuid.MustParse(emu.DefaultControlPlaneID())

	var baseline, got float64
	for range b.N {
		baseline = createRate(b, benchClient(b, base.URL), cp, 2*time.Second)
		got = createRate(b, benchClient(b, emu.URL), cp, 2*time.Second)
	}
	fmt.Printf("consumer creates through the client (PUT, 8 goroutines): emulator %.0f/s, baseline net/http %.0f/s, ratio %.2f (target: at least 5000/s)\n",
		got, baseline, got/baseline)
	b.ReportMetric(got, "creates/s")
	b.ReportMetric(got/baseline, "ratio")
}

func BenchmarkListTenThousandConsumers(b *testing.B) {
	emu, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = emu.Close() }()
	c := benchClient(b, emu.URL)
	cp := uuid.MustParse(emu.DefaultControlPlaneID())
	for i := range 10_000 {
		name := fmt.Sprintf("list-%05d", i)
		if _, _, err := client.Create(context.Background(), c.UpsertConsumerWithResponse, cp, client.Consumer{Username: &name}); err != nil {
			b.Fatal(err)
		}
	}
	// Baseline: the very same 10 pages, recorded from the emulator and served as fixed bytes by
	// a bare server keyed on the offset.
	pages := map[string][]byte{}
	var offset *string
	for {
		resp, err := c.ListConsumerWithResponse(context.Background(), cp, &client.ListConsumerParams{Size: ptr(1000), Offset: offset})
		if err != nil {
			b.Fatal(err)
		}
		key := ""
		if offset != nil {
			key = *offset
		}
		pages[key] = resp.Body
		if resp.JSON200.Offset == nil {
			break
		}
		offset = resp.JSON200.Offset
	}
	base := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(pages[r.URL.Query().Get("offset")])
	}))
	defer base.Close()
	listAll := func(c *client.Client) time.Duration {
		start := time.Now()
		n := 0
		for _, err := range c.Consumers(context.Background(), cp, client.ListConsumerParams{Size: ptr(1000)}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 10_000 {
			b.Fatalf("listed %d", n)
		}
		return time.Since(start)
	}
	var emuTotal, baseTotal time.Duration
	b.ResetTimer()
	for range b.N {
		emuTotal += listAll(c)
		baseTotal += listAll(benchClient(b, base.URL))
	}
	b.StopTimer()
	emuEach, baseEach := emuTotal/time.Duration(b.N), baseTotal/time.Duration(b.N)
	fmt.Printf("full list of 10,000 consumers (10 pages): emulator %s, baseline fixed pages %s, ratio %.2f\n", emuEach, baseEach, float64(emuEach)/float64(baseEach))
	b.ReportMetric(float64(emuEach.Milliseconds()), "ms/list")
}

func BenchmarkHeapPerStoredConsumer(b *testing.B) {
	const n = 100_000
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		emu, err := emulator.Start(context.Background(), emulator.Options{})
		if err != nil {
			b.Fatal(err)
		}
		h := emu.Handler()
		cp := emu.DefaultControlPlaneID()
		var bodyBytes int
		for i := range n {
			body := fmt.Sprintf(`{"username":"user-%06d","custom_id":"c-%06d","tags":["tier-free"]}`, i, i)
			req := httptest.NewRequest(http.MethodPut, "/v2/control-planes/"+cp+"/core-entities/consumers/"+uuid.NewString(), bytes.NewBufferString(body))
			req.Header.Set("Authorization", "Bearer "+emulator.DevelopmentToken)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("create %d: %d %s", i, rec.Code, rec.Body)
			}
			bodyBytes += rec.Body.Len()
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perConsumer := float64(after.HeapInuse-before.HeapInuse) / n
		perBody := float64(bodyBytes) / n
		fmt.Printf("heap in use per stored consumer (100,000 stored): %.0f bytes; the consumer's JSON is %.0f bytes; ratio %.2f (target: under 1024 bytes)\n",
			perConsumer, perBody, perConsumer/perBody)
		b.ReportMetric(perConsumer, "heap-bytes/consumer")
		_ = emu.Close()
	}
}

// BenchmarkStart measures Start until the API answers, against starting a bare httptest
// server and getting its first answer (target: under a second).
func BenchmarkStart(b *testing.B) {
	firstAnswer := func(url string) {
		resp, err := http.Get(url + "/_emulator/health")
		if err != nil {
			b.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	var emuTotal, baseTotal time.Duration
	for range b.N {
		start := time.Now()
		emu, err := emulator.Start(context.Background(), emulator.Options{})
		if err != nil {
			b.Fatal(err)
		}
		firstAnswer(emu.URL)
		emuTotal += time.Since(start)
		_ = emu.Close()

		start = time.Now()
		base := httptest.NewServer(http.NotFoundHandler())
		firstAnswer(base.URL)
		baseTotal += time.Since(start)
		base.Close()
	}
	emuEach, baseEach := emuTotal/time.Duration(b.N), baseTotal/time.Duration(b.N)
	fmt.Printf("emulator start to first answer: %s; bare net/http server: %s; ratio %.0f (target: under 1s)\n", emuEach, baseEach, float64(emuEach)/float64(baseEach))
	b.ReportMetric(float64(emuEach.Microseconds())/1000, "ms/start")
}
