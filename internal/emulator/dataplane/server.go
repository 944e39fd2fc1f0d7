package dataplane

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
)

// Request limits, as Kong's nginx sets them: a request head of up to four 8 KiB header
// lines (large_client_header_buffers 4 8k), and no limit on bodies that the emulator could
// not hold anyway.
const (
	maxRequestHead = 4 * maxHeaderLine
	maxRequestBody = 64 << 20
)

// NewServer returns the HTTP/1.1 server a proxy listens with. The proxy serves with fasthttp
// rather than net/http: per request, net/http's server starts a background read, a
// cancellable context and a response writer of its own, which on two cores cost the proxy a
// third of its throughput against nginx (make bench-proxy).
func NewServer(handler fasthttp.RequestHandler, logger *slog.Logger) *fasthttp.Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &fasthttp.Server{
		Handler:            handler,
		ErrorHandler:       requestError,
		ReadBufferSize:     maxRequestHead,
		MaxRequestBodySize: maxRequestBody,
		ReadTimeout:        60 * time.Second, // client_header_timeout and client_body_timeout
		IdleTimeout:        75 * time.Second, // keepalive_timeout
		// The worker pool's cleaner notices a stopped server only between cleanups: a short
		// period lets a deleted control plane's proxy end all its goroutines within a second.
		MaxIdleWorkerDuration:        time.Second,
		NoDefaultServerHeader:        true,
		NoDefaultContentType:         true,
		DisablePreParseMultipartForm: true,
		CloseOnShutdown:              true,
		Logger:                       fasthttpLogger{logger},
	}
}

// requestError answers a request the server could not read, as nginx does before Kong sees
// it: 400 for a head that is too large or malformed, 413 for a body over the limit.
func requestError(fc *fasthttp.RequestCtx, err error) {
	status, message := http.StatusBadRequest, DefaultMessage(http.StatusBadRequest)
	var small *fasthttp.ErrSmallBuffer
	switch {
	case errors.As(err, &small):
		message = "Request header or cookie too large"
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		status, message = http.StatusRequestEntityTooLarge, DefaultMessage(http.StatusRequestEntityTooLarge)
	}
	ctype, body := errorBody("text/plain", message, newRequestID())
	fc.Response.Reset()
	fc.SetStatusCode(status)
	fc.Response.Header.Set("Server", "kong/"+KongVersion)
	fc.SetContentType(ctype)
	fc.SetBodyString(body)
	fc.SetConnectionClose()
}

// downstreamRequests builds, from what fasthttp read, the client's request as plugins see it
// (down) and the copy they change and the proxy sends upstream (out): net/http requests, with
// the raw request URI parsed as net/http would, and over TLS the connection's state. Both
// header maps share one backing array for their values, allocated once.
func downstreamRequests(fc *fasthttp.RequestCtx) (down, out *http.Request, err error) {
	rh := &fc.Request.Header
	rawURI := string(rh.RequestURI())
	u, err := url.ParseRequestURI(rawURI)
	if err != nil {
		return nil, nil, err
	}
	n := rh.Len()
	values := make([]string, 0, 2*n)
	downHeader, outHeader := make(http.Header, n), make(http.Header, n)
	for k, v := range rh.All() {
		if string(k) == "Host" {
			continue
		}
		key, value := textproto.CanonicalMIMEHeaderKey(string(k)), string(v)
		if _, seen := downHeader[key]; seen {
			downHeader[key] = append(downHeader[key], value)
			outHeader[key] = append(outHeader[key], value)
			continue
		}
		values = append(values, value, value)
		i := len(values) - 2
		downHeader[key], outHeader[key] = values[i:i+1:i+1], values[i+1:i+2:i+2]
	}
	host := u.Host
	if host == "" {
		host = string(rh.Host())
	}
	minor := 1
	if !rh.IsHTTP11() {
		minor = 0
	}
	body := fc.Request.Body()
	if len(body) > 0 {
		body = append([]byte(nil), body...)
	}
	newRequest := func(header http.Header, u *url.URL) *http.Request {
		r := &http.Request{Method: string(rh.Method()), URL: u, Proto: "HTTP/1." + strconv.Itoa(minor), ProtoMajor: 1, ProtoMinor: minor,
			Header: header, Host: host, RemoteAddr: fc.RemoteAddr().String(), ContentLength: int64(len(body)), Body: http.NoBody}
		if len(body) > 0 {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		return r
	}
	outURL := *u
	down, out = newRequest(downHeader, u), newRequest(outHeader, &outURL)
	down.RequestURI = rawURI
	if fc.IsTLS() {
		// The client's TLS connection, its certificate included (mtls-auth reads
		// Request.TLS.PeerCertificates), on both requests as net/http's server sets it.
		state := fc.TLSConnectionState()
		down.TLS, out.TLS = state, state
	}
	return down, out, nil
}

// fasthttpLogger sends fasthttp's own messages (connection errors) to the debug log.
type fasthttpLogger struct{ logger *slog.Logger }

func (l fasthttpLogger) Printf(format string, args ...any) {
	l.logger.Debug("proxy server", "message", fmt.Sprintf(format, args...))
}
