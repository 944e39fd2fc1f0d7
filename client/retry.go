package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// RetryPolicy says when and how long the client retries. Only a request that cannot have
// changed anything twice is repeated: an idempotent one (GET, HEAD, OPTIONS, PUT, DELETE) after
// a connection error or a 429, 502, 503 or 504; any other (POST, PATCH) only after a 429 or a
// connection that was never made, since a 5xx or a lost answer may follow a change the server
// made. Any other 4xx or 5xx is returned at once.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts in all, the first included (1 disables retries).
	MaxAttempts int
	// MinWait and MaxWait bound the exponential backoff between attempts (before jitter).
	MinWait time.Duration
	MaxWait time.Duration
	// MaxTotalWait bounds the time spent waiting between attempts of one call. A Retry-After
	// that would exceed what is left ends the retries with the last answer.
	MaxTotalWait time.Duration
}

// DefaultRetryPolicy makes up to 5 attempts, waiting 0.5s, 1s, 2s, 4s (with jitter) or what
// Retry-After asks, and at most 60 seconds in all.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 5, MinWait: 500 * time.Millisecond, MaxWait: 30 * time.Second, MaxTotalWait: 60 * time.Second}
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 1:
		return fmt.Errorf("retry policy: max attempts must be at least 1, got %d", p.MaxAttempts)
	case p.MinWait < 0 || p.MaxWait < p.MinWait:
		return fmt.Errorf("retry policy: need 0 <= min wait (%s) <= max wait (%s)", p.MinWait, p.MaxWait)
	case p.MaxTotalWait < 0:
		return fmt.Errorf("retry policy: max total wait must not be negative, got %s", p.MaxTotalWait)
	}
	return nil
}

// retryState lives for one call: it counts the waits so the total budget holds, and carries the
// wait chosen by check over to backoff (retryablehttp calls them one after the other).
type retryState struct {
	policy   RetryPolicy
	method   string
	waited   time.Duration
	nextWait time.Duration
	attempts int
}

// check is retryablehttp's CheckRetry for one call.
func (s *retryState) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	s.attempts++
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if s.attempts >= s.policy.MaxAttempts {
		return false, err
	}
	var wait time.Duration
	switch {
	case err != nil:
		if !retryableConnError(s.method, err) {
			return false, err
		}
		wait = s.backoffFor(s.attempts)
	case resp.StatusCode == http.StatusTooManyRequests ||
		idempotent(s.method) && (resp.StatusCode == http.StatusServiceUnavailable ||
			resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusGatewayTimeout):
		// A 429 means the request was refused before anything was done; a 502, 503 or 504
		// may come from a proxy after the server acted, so only an idempotent request is
		// repeated.
		if after, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			wait = after
		} else {
			wait = s.backoffFor(s.attempts)
		}
	default:
		return false, nil
	}
	if s.waited+wait > s.policy.MaxTotalWait {
		return false, err
	}
	s.waited += wait
	s.nextWait = wait
	return true, nil
}

// backoff is retryablehttp's Backoff for one call: the wait check has already chosen.
func (s *retryState) backoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
	return s.nextWait
}

// backoffFor is exponential backoff with "equal jitter": half fixed, half random, so retries of
// many clients spread out while each still waits at least half the nominal time.
func (s *retryState) backoffFor(attempt int) time.Duration {
	nominal := s.policy.MinWait << (attempt - 1)
	if nominal > s.policy.MaxWait || nominal <= 0 {
		nominal = s.policy.MaxWait
	}
	half := nominal / 2
	if half <= 0 {
		return nominal
	}
	return half + rand.N(half+1)
}

// retryableConnError says whether a failed attempt may be repeated. A request that never left
// (the dial failed) is always safe; one that may have reached the server is repeated only when
// its method is idempotent, so a POST is never sent twice. Creates through PUT are idempotent.
func retryableConnError(method string, err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	// retryablehttp's default policy knows the errors no retry can fix (bad URL, TLS trust...).
	if ok, _ := retryablehttp.DefaultRetryPolicy(context.Background(), nil, err); !ok {
		return false
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return idempotent(method)
}

// idempotent says whether sending the request twice has the effect of sending it once.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := time.Until(t)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
