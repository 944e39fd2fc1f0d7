package emulator

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/dataplane"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// proxyShutdownTimeout bounds how long stopping a proxy waits for its requests in flight.
const proxyShutdownTimeout = 5 * time.Second

// dataPlanes runs one proxy per control plane: the default control plane's on the configured
// proxy addresses, every other one on free loopback ports, started when first asked for. Each
// proxy has a plain HTTP listener and an HTTPS one, started and stopped together. A
// control plane removed from the store (deleted, or by a reset) has its proxy stopped: its
// listener, connections and goroutines end and its plugins' resources are closed.
type dataPlanes struct {
	store    store.Store
	logger   *slog.Logger
	settings dataplane.Settings

	mu      sync.Mutex
	proxies map[string]*runningProxy // by control plane id

	defaultURLs   proxyURLs
	defaultCP     string
	defaultProxy  atomic.Pointer[dataplane.Proxy]
	defaultSrv    *fasthttp.Server
	defaultTLSSrv *fasthttp.Server

	// defaultCert is what the HTTPS listeners serve when no configured certificate matches
	// the client's server name, made once at start as Kong makes its own.
	defaultCert *tls.Certificate
}

// proxyURLs are a proxy's listeners: plain HTTP and HTTPS.
type proxyURLs struct {
	plain, tls string
}

type runningProxy struct {
	urls  proxyURLs
	proxy *dataplane.Proxy
	// srv and tlsSrv are nil for the default control plane's, which serves on defaultSrv
	// and defaultTLSSrv.
	srv, tlsSrv *fasthttp.Server
}

func newDataPlanes(st store.Store, logger *slog.Logger, settings dataplane.Settings) (*dataPlanes, error) {
	cert, err := dataplane.DefaultCertificate()
	if err != nil {
		return nil, err
	}
	return &dataPlanes{store: st, logger: logger, settings: settings, proxies: map[string]*runningProxy{}, defaultCert: cert}, nil
}

// newProxy makes a control plane's proxy with the node's settings.
func (d *dataPlanes) newProxy(cp string) *dataplane.Proxy {
	p := dataplane.NewProxy(d.store, cp, d.logger)
	p.Configure(d.settings)
	return p
}

// startDefault listens on addr (HTTP) and tlsAddr (HTTPS) for the control plane named
// "default", whatever its id.
func (d *dataPlanes) startDefault(addr, tlsAddr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("proxy: listening on %s: %w", addr, err)
	}
	tlsLn, err := net.Listen("tcp", tlsAddr)
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("proxy: listening for TLS on %s: %w", tlsAddr, err)
	}
	handle := func(fc *fasthttp.RequestCtx) { d.defaultProxy.Load().Handle(fc) }
	d.defaultURLs = proxyURLs{plain: "http://" + ln.Addr().String(), tls: "https://" + tlsLn.Addr().String()}
	d.defaultSrv = dataplane.NewServer(handle, d.logger)
	d.defaultTLSSrv = dataplane.NewServer(handle, d.logger)
	config := dataplane.NewTLSConfig(d.defaultProxy.Load, d.defaultCert)
	go func() { _ = d.defaultSrv.Serve(ln) }()
	go func() { _ = d.defaultTLSSrv.Serve(tls.NewListener(tlsLn, config)) }()
	return nil
}

// setDefault points the default listener at a control plane (at start and after a reset);
// the proxy it served before is closed.
func (d *dataPlanes) setDefault(cp string) {
	p := d.newProxy(cp)
	d.mu.Lock()
	old := d.defaultProxy.Swap(p)
	delete(d.proxies, d.defaultCP)
	d.defaultCP = cp
	d.proxies[cp] = &runningProxy{urls: d.defaultURLs, proxy: p}
	d.mu.Unlock()
	if old != nil {
		old.Close()
	}
}

// urls returns the proxy URLs of a control plane, starting its proxy if needed.
func (d *dataPlanes) urls(cp string) (proxyURLs, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if rp, ok := d.proxies[cp]; ok {
		return rp.urls, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return proxyURLs{}, fmt.Errorf("proxy for control plane %s: %w", cp, err)
	}
	tlsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = ln.Close()
		return proxyURLs{}, fmt.Errorf("TLS proxy for control plane %s: %w", cp, err)
	}
	p := d.newProxy(cp)
	srv, tlsSrv := dataplane.NewServer(p.Handle, d.logger), dataplane.NewServer(p.Handle, d.logger)
	config := dataplane.NewTLSConfig(func() *dataplane.Proxy { return p }, d.defaultCert)
	go func() { _ = srv.Serve(ln) }()
	go func() { _ = tlsSrv.Serve(tls.NewListener(tlsLn, config)) }()
	rp := &runningProxy{urls: proxyURLs{plain: "http://" + ln.Addr().String(), tls: "https://" + tlsLn.Addr().String()},
		proxy: p, srv: srv, tlsSrv: tlsSrv}
	d.proxies[cp] = rp
	return rp.urls, nil
}

// skipped lists what a control plane's proxy leaves out of its configuration.
func (d *dataPlanes) skipped(cp string) []dataplane.Skipped {
	d.mu.Lock()
	rp, ok := d.proxies[cp]
	d.mu.Unlock()
	if !ok {
		return []dataplane.Skipped{}
	}
	if s := rp.proxy.Skipped(); s != nil {
		return s
	}
	return []dataplane.Skipped{}
}

// reconcile stops the proxies of control planes that are no longer stored. The default
// listener stays (it is the emulator's configured address); its proxy is replaced by an
// empty one until setDefault points it at the new default control plane.
func (d *dataPlanes) reconcile() {
	// The proxies are listed under d.mu, the store read without it: a store reader waiting
	// for d.mu would hold up, behind a pending writer, the health checkers (store readers)
	// that a holder of d.mu may be waiting for.
	d.mu.Lock()
	running := make([]string, 0, len(d.proxies))
	for cp := range d.proxies {
		running = append(running, cp)
	}
	d.mu.Unlock()
	var gone []string
	_ = d.store.Read(func(tx store.Reader) error {
		for _, cp := range running {
			if _, ok := tx.Get("", domain.ControlPlanes, cp); !ok {
				gone = append(gone, cp)
			}
		}
		return nil
	})
	for _, cp := range gone {
		d.stop(cp)
	}
}

// stop ends a control plane's proxy.
func (d *dataPlanes) stop(cp string) {
	d.mu.Lock()
	rp, ok := d.proxies[cp]
	if !ok {
		d.mu.Unlock()
		return
	}
	if cp == d.defaultCP {
		d.defaultProxy.Store(d.newProxy(cp))
		d.proxies[cp] = &runningProxy{urls: d.defaultURLs, proxy: d.defaultProxy.Load()}
	} else {
		delete(d.proxies, cp)
	}
	d.mu.Unlock()
	if rp.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), proxyShutdownTimeout)
		defer cancel()
		for _, srv := range []*fasthttp.Server{rp.srv, rp.tlsSrv} {
			if err := srv.ShutdownWithContext(ctx); err != nil {
				d.logger.Warn("stopping a proxy", "control_plane", cp, "error", err)
			}
		}
	}
	rp.proxy.Close()
}

// close stops every proxy. The servers are shut down and the proxies closed without d.mu
// held: closing a proxy waits for its health checkers, which read the store.
func (d *dataPlanes) close(ctx context.Context) {
	d.mu.Lock()
	running := make([]*runningProxy, 0, len(d.proxies))
	for _, rp := range d.proxies {
		running = append(running, rp)
	}
	d.mu.Unlock()
	if d.defaultSrv != nil {
		_ = d.defaultSrv.ShutdownWithContext(ctx)
		_ = d.defaultTLSSrv.ShutdownWithContext(ctx)
	}
	for _, rp := range running {
		if rp.srv != nil {
			_ = rp.srv.ShutdownWithContext(ctx)
			_ = rp.tlsSrv.ShutdownWithContext(ctx)
		}
		rp.proxy.Close()
	}
}

// watch returns st with every write that drops a control plane (or resets the store)
// followed by stopping the proxies of the control planes that are gone.
func (d *dataPlanes) watch(st store.Store) store.Store { return &watchedStore{Store: st, dps: d} }

type watchedStore struct {
	store.Store
	dps *dataPlanes
}

func (s *watchedStore) Write(fn func(store.Writer) error) error {
	var dropped bool
	err := s.Store.Write(func(tx store.Writer) error {
		return fn(&droppingWriter{Writer: tx, dropped: &dropped})
	})
	if dropped {
		// After the write, so that the proxies see the store without the control plane.
		s.dps.reconcile()
	}
	return err
}

// droppingWriter notes whether a write removed control planes.
type droppingWriter struct {
	store.Writer
	dropped *bool
}

func (w *droppingWriter) DropControlPlane(cp string) {
	*w.dropped = true
	w.Writer.DropControlPlane(cp)
}

func (w *droppingWriter) Reset() {
	*w.dropped = true
	w.Writer.Reset()
}
