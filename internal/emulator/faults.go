package emulator

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Faults makes a share of API requests fail, so that clients' retries and their recovery
// from lost answers can be tested against the emulator.
type Faults struct {
	// Rate is the share of requests to fail, from 0 to 1. Failures are spread evenly and
	// deterministically: with 0.25, exactly one request in four fails.
	Rate float64 `json:"rate"`
	// Status is 429 or 503 (ignored, and may be left out, when Drop is set).
	Status int `json:"status,omitempty"`
	// RetryAfter is the Retry-After header, in seconds (0: none).
	RetryAfter int `json:"retry_after"`
	// When is "before" (the default): the request fails before it changes anything; or
	// "after": the request is carried out, then its answer is replaced by the failure, as
	// when a proxy or the network loses the answer of a server that acted.
	When string `json:"when,omitempty"`
	// Drop closes the connection (hijack and close) instead of answering: the client sees a
	// lost answer, not a status.
	Drop bool `json:"drop,omitempty"`
	// Methods limits the failures to these HTTP methods ("POST", "PUT"...); empty: all. Only
	// requests of these methods are counted for Rate.
	Methods []string `json:"methods,omitempty"`
}

const (
	faultsBefore = "before"
	faultsAfter  = "after"
)

func (f Faults) validate() error {
	if f.Rate < 0 || f.Rate > 1 || math.IsNaN(f.Rate) {
		return fmt.Errorf("rate must be between 0 and 1, got %v", f.Rate)
	}
	switch {
	case f.Drop && f.Status != 0:
		return fmt.Errorf("status must be left out when drop is set, got %d", f.Status)
	case f.Drop:
	case f.Status != http.StatusTooManyRequests && f.Status != http.StatusServiceUnavailable:
		return fmt.Errorf("status must be 429 or 503, got %d", f.Status)
	}
	switch f.When {
	case "", faultsBefore:
	case faultsAfter:
		if f.Status == http.StatusTooManyRequests {
			return errors.New(`status 429 says nothing was done, so it cannot come "after" the change: use 503 or drop`)
		}
	default:
		return fmt.Errorf(`when must be "before" or "after", got %q`, f.When)
	}
	if f.RetryAfter < 0 {
		return fmt.Errorf("retry_after must not be negative, got %d", f.RetryAfter)
	}
	for _, m := range f.Methods {
		if m == "" || strings.ToUpper(m) != m {
			return fmt.Errorf("methods must be upper-case HTTP methods, got %q", m)
		}
	}
	return nil
}

type faultInjector struct {
	mu     sync.Mutex
	active *Faults
	seen   uint64
}

func (fi *faultInjector) set(f *Faults) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	fi.active, fi.seen = f, 0
}

func (fi *faultInjector) get() *Faults {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.active
}

// next reports whether this request fails, and how.
func (fi *faultInjector) next(method string) (Faults, bool) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if fi.active == nil || fi.active.Rate == 0 {
		return Faults{}, false
	}
	if len(fi.active.Methods) > 0 && !slices.Contains(fi.active.Methods, method) {
		return Faults{}, false
	}
	fi.seen++
	n := float64(fi.seen)
	fail := math.Floor(n*fi.active.Rate) != math.Floor((n-1)*fi.active.Rate)
	return *fi.active, fail
}

func (s *Server) injectFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, fail := s.faults.next(r.Method)
		if !fail {
			next.ServeHTTP(w, r)
			return
		}
		if f.When == faultsAfter {
			// The change is made; its answer is thrown away.
			next.ServeHTTP(&discardedAnswer{header: http.Header{}}, r)
		}
		if f.Drop {
			dropConnection(w)
			return
		}
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		detail := "rate limit exceeded (injected by the emulator)"
		if f.Status == http.StatusServiceUnavailable {
			detail = "service unavailable (injected by the emulator)"
		}
		writeProblem(w, newProblem(r, f.Status, detail))
	})
}

// discardedAnswer is where a handler writes an answer the client never gets.
type discardedAnswer struct{ header http.Header }

func (d *discardedAnswer) Header() http.Header         { return d.header }
func (d *discardedAnswer) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardedAnswer) WriteHeader(int)             {}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// A writer that cannot be hijacked: net/http closes the connection on this panic
		// (recoverPanics lets it through).
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

func (s *Server) handleFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, s.faults.get())
	case http.MethodPut:
		var f Faults
		if err := decodeStrict(r, &f); err != nil {
			s.badRequest(w, r, []fieldProblem{{message: "cannot parse JSON body: " + err.Error()}})
			return
		}
		if err := f.validate(); err != nil {
			s.badRequest(w, r, []fieldProblem{{message: err.Error()}})
			return
		}
		s.faults.set(&f)
		writeJSON(w, http.StatusOK, f)
	case http.MethodDelete:
		s.faults.set(nil)
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, PUT, DELETE")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "method not allowed"})
	}
}
