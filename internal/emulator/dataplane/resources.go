package dataplane

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
)

// resources are what a proxy's plugins hold open across snapshots (Redis clients...), by
// key; they are closed with the proxy.
type resources struct {
	mu     sync.Mutex
	open   map[string]io.Closer
	closed bool
	// log is the proxy's logger (nil: discard).
	log *slog.Logger
}

func (r *resources) logger() *slog.Logger {
	if r == nil || r.log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.log
}

func (r *resources) get(key string, open func() (io.Closer, error)) (io.Closer, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, errors.New("the proxy is closed")
	}
	if c, ok := r.open[key]; ok {
		return c, nil
	}
	c, err := open()
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", key, err)
	}
	if r.open == nil {
		r.open = map[string]io.Closer{}
	}
	r.open[key] = c
	return c, nil
}

// close closes every resource; later gets fail.
func (r *resources) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	var errs []error
	for key, c := range r.open {
		if err := c.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing %s: %w", key, err))
		}
	}
	r.open = nil
	return errors.Join(errs...)
}
