package dataplane

import (
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

// correlation-id: tags each request with an id in a header (keeping one the client sent),
// and optionally sends it back in the response.

func init() { RegisterTyped("correlation-id", newCorrelationID) }

type correlationIDConfig struct {
	HeaderName     string `json:"header_name"`
	Generator      string `json:"generator"`
	EchoDownstream bool   `json:"echo_downstream"`
}

type correlationID struct {
	header    string
	generator string
	echo      bool
}

// correlationKey holds the request's id in ctx.Shared for the response (Kong keeps it in
// kong.ctx.plugin); the NUL keeps it out of reach of $(shared.x) templates.
const correlationKey = "correlation-id\x00id"

var (
	// nodeID stands for Kong's node id; workerUUID for the per-worker UUID of uuid#counter
	// (this process is one worker).
	nodeID, workerUUID = newUUID(), newUUID()
	workerCounter      atomic.Uint64
)

func newCorrelationID(c correlationIDConfig, _ Instance) (Handler, error) {
	return &correlationID{header: c.HeaderName, generator: c.Generator, echo: c.EchoDownstream}, nil
}

func (h *correlationID) Access(ctx *Context) {
	if h.header == "" {
		// Kong fails to read a header without a name: a plugin error.
		ctx.Exit(http.StatusInternalServerError, "", nil)
		return
	}
	id := ctx.Request.Header.Get(h.header)
	if id == "" {
		id = h.generate(ctx)
		ctx.Request.Header.Set(h.header, id)
	}
	if h.echo {
		ctx.Shared[correlationKey] = id
	}
}

func (h *correlationID) Response(ctx *Context, _ int, header http.Header) {
	if !h.echo {
		return
	}
	if id, ok := ctx.Shared[correlationKey].(string); ok {
		header.Set(h.header, id)
	}
}

func (h *correlationID) generate(ctx *Context) string {
	switch h.generator {
	case "uuid":
		return newUUID()
	case "tracker":
		// server address, server port, worker pid, connection, request on the connection, time
		addr, port := "", ""
		if ctx.LocalAddr != nil {
			addr, port, _ = net.SplitHostPort(ctx.LocalAddr.String())
		}
		now := float64(time.Now().UnixMilli()) / 1000
		return fmt.Sprintf("%s-%s-%d-%d-%d-%.3f", addr, port, os.Getpid(), ctx.ConnID, ctx.ConnRequest, now)
	default: // uuid#counter
		return workerUUID + "#" + strconv.FormatUint(workerCounter.Add(1), 10)
	}
}

// newUUID returns a random (version 4) UUID in lowercase.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
