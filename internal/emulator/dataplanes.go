package emulator

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"

	"github.com/valyala/fasthttp"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/dataplane"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// dataPlanes runs one proxy per control plane: the default control plane's on the configured
// proxy address, every other one on a free loopback port, started when first asked for.
type dataPlanes struct {
	store  store.Store
	logger *slog.Logger

	mu      sync.Mutex
	proxies map[string]*runningProxy // by control plane id

	defaultURL   string
	defaultProxy atomic.Pointer[dataplane.Proxy]
	defaultSrv   *fasthttp.Server
}

type runningProxy struct {
	url   string
	proxy *dataplane.Proxy
	srv   *fasthttp.Server
}

// startDefault listens on addr for the control plane named "default", whatever its id.
func (d *dataPlanes) startDefault(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("proxy: listening on %s: %w", addr, err)
	}
	d.defaultURL = "http://" + ln.Addr().String()
	d.defaultSrv = dataplane.NewServer(func(fc *fasthttp.RequestCtx) { d.defaultProxy.Load().Handle(fc) }, d.logger)
	go func() { _ = d.defaultSrv.Serve(ln) }()
	return nil
}

// setDefault points the default listener at a control plane (at start and after a reset).
func (d *dataPlanes) setDefault(cp string) {
	p := dataplane.NewProxy(d.store, cp, d.logger)
	d.defaultProxy.Store(p)
	d.mu.Lock()
	d.proxies[cp] = &runningProxy{url: d.defaultURL, proxy: p}
	d.mu.Unlock()
}

// url returns the proxy URL of a control plane, starting its proxy if needed.
func (d *dataPlanes) url(cp string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if rp, ok := d.proxies[cp]; ok {
		return rp.url, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("proxy for control plane %s: %w", cp, err)
	}
	p := dataplane.NewProxy(d.store, cp, d.logger)
	srv := dataplane.NewServer(p.Handle, d.logger)
	go func() { _ = srv.Serve(ln) }()
	rp := &runningProxy{url: "http://" + ln.Addr().String(), proxy: p, srv: srv}
	d.proxies[cp] = rp
	return rp.url, nil
}

func (d *dataPlanes) close(ctx context.Context) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.defaultSrv != nil {
		_ = d.defaultSrv.ShutdownWithContext(ctx)
	}
	for _, rp := range d.proxies {
		if rp.srv != nil {
			_ = rp.srv.ShutdownWithContext(ctx)
		}
		rp.proxy.Close()
	}
}
