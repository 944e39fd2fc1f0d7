package emulator

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
)

// Faults makes a share of API requests fail before they change anything, so that clients'
// retries can be tested against the emulator.
type Faults struct {
	// Rate is the share of requests to fail, from 0 to 1. Failures are spread evenly and
	// deterministically: with 0.25, exactly one request in four fails.
	Rate float64 `json:"rate"`
	// Status is 429 or 503.
	Status int `json:"status"`
	// RetryAfter is the Retry-After header, in seconds (0: none).
	RetryAfter int `json:"retry_after"`
}

func (f Faults) validate() error {
	if f.Rate < 0 || f.Rate > 1 || math.IsNaN(f.Rate) {
		return fmt.Errorf("rate must be between 0 and 1, got %v", f.Rate)
	}
	if f.Status != http.StatusTooManyRequests && f.Status != http.StatusServiceUnavailable {
		return fmt.Errorf("status must be 429 or 503, got %d", f.Status)
	}
	if f.RetryAfter < 0 {
		return fmt.Errorf("retry_after must not be negative, got %d", f.RetryAfter)
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
func (fi *faultInjector) next() (Faults, bool) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if fi.active == nil || fi.active.Rate == 0 {
		return Faults{}, false
	}
	fi.seen++
	n := float64(fi.seen)
	fail := math.Floor(n*fi.active.Rate) != math.Floor((n-1)*fi.active.Rate)
	return *fi.active, fail
}

func (s *Server) injectFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, fail := s.faults.next()
		if !fail {
			next.ServeHTTP(w, r)
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
