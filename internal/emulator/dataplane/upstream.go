package dataplane

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/net/http/httpguts"
)

// upstreamPool is the proxy's HTTP/1.1 client: keep-alive connections per address, used by
// the request's own goroutine. net/http's Transport hands every exchange to two goroutines of
// its own per connection, and its Request.Write sorts and filters headers; on the proxy's hot
// path that costs more than the syscalls, so the request is written here and the answer read
// with fasthttp's parser.
type upstreamPool struct {
	// maxResponseBody bounds an upstream answer's body, which the proxy holds in memory
	// whole; a longer one is answered 502 as nginx answers an upstream answer it cannot take.
	maxResponseBody int

	mu   sync.Mutex
	idle map[string][]*upstreamConn
	// tlsKeys are the keys (upstreamTLS.key) of the current snapshot's TLS settings, nil
	// before the first snapshot: a TLS connection made with settings no longer configured is
	// closed rather than kept, as it could serve no request.
	tlsKeys map[string]bool
}

// MaxUpstreamResponseBody is the proxy's default bound on an upstream answer's body. Kong's
// nginx spools large answers to disk (proxy_max_temp_file_size, 1 GiB) and so never refuses
// one; the emulator buffers answers in memory, so it refuses one beyond this size with Kong's
// 502 "An invalid response was received from the upstream server".
const MaxUpstreamResponseBody = 64 << 20

// maxIdlePerAddr bounds the connections kept open per upstream address.
const maxIdlePerAddr = 256

type upstreamConn struct {
	pool   string // the pool it goes back to (upstreamTarget.pool)
	tlsKey string // the key of the TLS settings it was made with, "" over plain HTTP
	conn   net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer

	readDeadline, writeDeadline deadline
}

// deadline is one of a connection's deadlines as last set. Setting a deadline updates a
// runtime timer and often wakes the network poller, a cost per request on the proxy's hot
// path; so a deadline is set 1% beyond the timeout and moved only once it falls short. A
// timeout may fire up to 1% late, never early.
type deadline struct{ at time.Time }

func (d *deadline) extend(set func(time.Time) error, timeout time.Duration) {
	now := time.Now()
	if d.at.Sub(now) >= timeout {
		return
	}
	d.at = now.Add(timeout + timeout/100)
	if err := set(d.at); err != nil {
		d.at = time.Time{}
	}
}

type timeouts struct {
	connect, read, write time.Duration
}

func (p *upstreamPool) get(pool string) *upstreamConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.idle[pool]
	if len(list) == 0 {
		return nil
	}
	c := list[len(list)-1]
	if len(list) == 1 {
		// Pools are keyed by server name too (preserve_host sends the client's): an emptied
		// one goes, so that names seen once do not stay in the map.
		delete(p.idle, pool)
	} else {
		p.idle[pool] = list[:len(list)-1]
	}
	return c
}

func (p *upstreamPool) put(c *upstreamConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.idle == nil {
		p.idle = map[string][]*upstreamConn{}
	}
	if len(p.idle[c.pool]) >= maxIdlePerAddr || c.tlsKey != "" && p.tlsKeys != nil && !p.tlsKeys[c.tlsKey] {
		_ = c.conn.Close()
		return
	}
	p.idle[c.pool] = append(p.idle[c.pool], c)
}

// keepTLS is called with each new snapshot's TLS settings: idle connections made with
// settings no longer configured (a service's tls_verify, CA certificates or client
// certificate changed, or the service went) are closed, and so are those that come back from
// requests still running on an older snapshot.
func (p *upstreamPool) keepTLS(settings map[string]*upstreamTLS) {
	keys := make(map[string]bool, len(settings))
	for _, ut := range settings {
		keys[ut.key] = true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tlsKeys = keys
	for pool, list := range p.idle {
		if len(list) > 0 && list[0].tlsKey != "" && !keys[list[0].tlsKey] {
			for _, c := range list {
				_ = c.conn.Close()
			}
			delete(p.idle, pool)
		}
	}
}

func (p *upstreamPool) closeIdle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, list := range p.idle {
		for _, c := range list {
			_ = c.conn.Close()
		}
	}
	p.idle = nil
}

// dialUpstream connects to addr, over TLS when tc is not nil (tc.ServerName is the SNI);
// a failed handshake is put in words by ut.
func dialUpstream(addr string, ut *upstreamTLS, tc *tls.Config, t timeouts) (*upstreamConn, error) {
	conn, err := net.DialTimeout("tcp", addr, t.connect)
	if err != nil {
		return nil, err
	}
	if tc != nil {
		tlsConn := tls.Client(conn, tc)
		_ = tlsConn.SetDeadline(time.Now().Add(t.connect))
		if err := tlsConn.Handshake(); err != nil {
			_ = conn.Close()
			herr := ut.handshakeError(err, tc.ServerName)
			herr.handshake = true
			return nil, herr
		}
		_ = tlsConn.SetDeadline(time.Time{})
		conn = tlsConn
	}
	return &upstreamConn{pool: addr, conn: conn, br: bufio.NewReaderSize(conn, 16<<10), bw: bufio.NewWriterSize(conn, 16<<10)}, nil
}

// upstreamTarget is where one try of a request goes: the address, the pool its connections
// are kept in (the address, and for TLS the server name and the service's TLS settings), and
// the TLS settings (nil for plain HTTP).
type upstreamTarget struct {
	addr, pool string
	ut         *upstreamTLS
	tls        *tls.Config
}

// roundTrip sends req to addr and reads the answer into resp; the connection goes back to
// the pool unless either side asked to close it. A pooled connection the upstream had closed
// is replaced once, but only for an idempotent request: once written, a POST, PATCH or LOCK
// may have reached the upstream, and nginx never sends it twice (502 instead).
func (p *upstreamPool) roundTrip(req *http.Request, body []byte, resp *fasthttp.Response, to upstreamTarget, t timeouts) error {
	for attempt := 0; ; attempt++ {
		c := p.get(to.pool)
		if !idempotent(req.Method) {
			// Such a request is not retried on a stale connection, so it is written only on
			// one that is still open.
			for c != nil && !idleConnUsable(c) {
				_ = c.conn.Close()
				c = p.get(to.pool)
			}
		}
		reused := c != nil
		if c == nil {
			var err error
			if c, err = dialUpstream(to.addr, to.ut, to.tls, t); err != nil {
				return err
			}
			c.pool = to.pool
			if to.ut != nil {
				c.tlsKey = to.ut.key
			}
		}
		err := c.exchange(req, body, resp, t, p.maxResponseBody)
		if err != nil {
			_ = c.conn.Close()
			if reused && attempt == 0 && staleConn(err) && idempotent(req.Method) {
				continue
			}
			// With TLS 1.3 an upstream refuses the client's certificate after the handshake:
			// the first read gets its alert, or the end of the connection. Any other failure
			// (a malformed or oversized answer) says nothing of the certificate.
			if to.tls != nil && !reused && endedAfterHandshake(err) {
				return to.ut.closedAfterHandshake(err)
			}
			return err
		}
		if resp.ConnectionClose() {
			_ = c.conn.Close()
		} else {
			p.put(c)
		}
		return nil
	}
}

func (c *upstreamConn) exchange(req *http.Request, body []byte, resp *fasthttp.Response, t timeouts, maxBody int) error {
	c.writeDeadline.extend(c.conn.SetWriteDeadline, t.write)
	writeRequest(c.bw, req, body)
	if err := c.bw.Flush(); err != nil {
		return err
	}
	c.readDeadline.extend(c.conn.SetReadDeadline, t.read)
	resp.SkipBody = req.Method == http.MethodHead
	return resp.ReadLimitBody(c.br, maxBody)
}

// idempotent: the methods nginx passes to another try after the request was sent (all but
// POST, LOCK and PATCH, without proxy_next_upstream non_idempotent, which Kong does not set).
func idempotent(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, "LOCK":
		return false
	}
	return true
}

// headerValueCleaner keeps a header value on its line, as net/http does.
var headerValueCleaner = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ")

func cleanHeaderValue(v string) string {
	if strings.ContainsAny(v, "\r\n") {
		return headerValueCleaner.Replace(v)
	}
	return v
}

// writeRequest writes req as HTTP/1.1 with its headers as plugins left them (no User-Agent or
// other header of the client library's own), with Content-Length from body.
func writeRequest(w *bufio.Writer, req *http.Request, body []byte) {
	_, _ = w.WriteString(req.Method)
	_ = w.WriteByte(' ')
	_, _ = w.WriteString(req.URL.RequestURI())
	_, _ = w.WriteString(" HTTP/1.1\r\nHost: ")
	_, _ = w.WriteString(cleanHeaderValue(req.Host))
	_, _ = w.WriteString("\r\n")
	for k, vs := range req.Header {
		if k == "Host" || k == "Content-Length" || !httpguts.ValidHeaderFieldName(k) {
			continue
		}
		for _, v := range vs {
			_, _ = w.WriteString(k)
			_, _ = w.WriteString(": ")
			_, _ = w.WriteString(cleanHeaderValue(v))
			_, _ = w.WriteString("\r\n")
		}
	}
	if len(body) > 0 || bodyExpected(req.Method) {
		_, _ = w.WriteString("Content-Length: ")
		_, _ = w.WriteString(strconv.Itoa(len(body)))
		_, _ = w.WriteString("\r\n")
	}
	_, _ = w.WriteString("\r\n")
	_, _ = w.Write(body)
}

// bodyExpected: methods whose requests carry a Content-Length even when empty.
func bodyExpected(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

// endedAfterHandshake is the error of a new TLS connection the upstream ended before
// answering: its end, a reset, or a TLS alert (which a read over TCP gets as net's "remote
// error").
func endedAfterHandshake(err error) bool {
	if isTimeout(err) {
		return false
	}
	var op *net.OpError
	var alert tls.AlertError
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.As(err, &alert) || errors.As(err, &op) && op.Op == "remote error"
}

// staleConn is the error of a kept-alive connection the upstream closed meanwhile.
func staleConn(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
