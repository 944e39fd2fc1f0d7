package dataplane

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// upstreamPool is the proxy's HTTP/1.1 client: keep-alive connections per address, used by
// the request's own goroutine. net/http's Transport hands every exchange to two goroutines of
// its own per connection; on the proxy's hot path those hand-offs cost more than the syscalls,
// so the request is written with Request.Write and read with http.ReadResponse here.
type upstreamPool struct {
	mu   sync.Mutex
	idle map[string][]*upstreamConn
}

// maxIdlePerAddr bounds the connections kept open per upstream address.
const maxIdlePerAddr = 256

type upstreamConn struct {
	addr string
	conn net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
}

type timeouts struct {
	connect, read, write time.Duration
}

func (p *upstreamPool) get(addr string) *upstreamConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.idle[addr]
	if len(list) == 0 {
		return nil
	}
	c := list[len(list)-1]
	p.idle[addr] = list[:len(list)-1]
	return c
}

func (p *upstreamPool) put(c *upstreamConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.idle == nil {
		p.idle = map[string][]*upstreamConn{}
	}
	if len(p.idle[c.addr]) >= maxIdlePerAddr {
		_ = c.conn.Close()
		return
	}
	p.idle[c.addr] = append(p.idle[c.addr], c)
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

func dialUpstream(addr, scheme, serverName string, verify bool, t timeouts) (*upstreamConn, error) {
	conn, err := net.DialTimeout("tcp", addr, t.connect)
	if err != nil {
		return nil, err
	}
	if scheme == "https" {
		tc := tls.Client(conn, &tls.Config{ServerName: serverName, InsecureSkipVerify: !verify}) //nolint:gosec // Kong verifies upstream certificates only with tls_verify
		_ = tc.SetDeadline(time.Now().Add(t.connect))
		if err := tc.Handshake(); err != nil {
			_ = conn.Close()
			return nil, err
		}
		_ = tc.SetDeadline(time.Time{})
		conn = tc
	}
	return &upstreamConn{addr: addr, conn: conn, br: bufio.NewReaderSize(conn, 16<<10), bw: bufio.NewWriterSize(conn, 16<<10)}, nil
}

// roundTrip sends req to addr and returns the answer; its body returns the connection to the
// pool once read to the end. A pooled connection the upstream had closed is replaced once.
func (p *upstreamPool) roundTrip(req *http.Request, body []byte, addr, scheme, serverName string, verify bool, t timeouts) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		c := p.get(addr)
		reused := c != nil
		if c == nil {
			var err error
			if c, err = dialUpstream(addr, scheme, serverName, verify, t); err != nil {
				return nil, err
			}
		}
		resp, err := c.exchange(req, body, t)
		if err != nil {
			_ = c.conn.Close()
			if reused && attempt == 0 && staleConn(err) {
				continue
			}
			return nil, err
		}
		resp.Body = &pooledBody{ReadCloser: resp.Body, pool: p, conn: c, reusable: !resp.Close}
		return resp, nil
	}
}

func (c *upstreamConn) exchange(req *http.Request, body []byte, t timeouts) (*http.Response, error) {
	_ = c.conn.SetWriteDeadline(time.Now().Add(t.write))
	if len(body) == 0 {
		req.Body, req.ContentLength = http.NoBody, 0
	} else {
		req.Body, req.ContentLength = io.NopCloser(&byteReader{b: body}), int64(len(body))
	}
	if err := req.Write(c.bw); err != nil {
		return nil, err
	}
	if err := c.bw.Flush(); err != nil {
		return nil, err
	}
	_ = c.conn.SetReadDeadline(time.Now().Add(t.read))
	resp, err := http.ReadResponse(c.br, req)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// staleConn is the error of a kept-alive connection the upstream closed meanwhile.
func staleConn(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// pooledBody gives the connection back when the answer was read to its end.
type pooledBody struct {
	io.ReadCloser
	pool     *upstreamPool
	conn     *upstreamConn
	reusable bool
	eof      bool
	done     bool
}

func (b *pooledBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		b.eof = true
	}
	return n, err
}

func (b *pooledBody) Close() error {
	if b.done {
		return nil
	}
	b.done = true
	err := b.ReadCloser.Close()
	if b.eof && b.reusable && err == nil {
		_ = b.conn.conn.SetDeadline(time.Time{})
		b.pool.put(b.conn)
		return nil
	}
	_ = b.conn.conn.Close()
	return err
}

// byteReader is a bytes.Reader without WriterTo, so Request.Write copies it through its buffer.
type byteReader struct {
	b []byte
	i int
}

func (r *byteReader) Read(p []byte) (int, error) {
	if r.i >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.i:])
	r.i += n
	return n, nil
}
