package dataplane

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// requestBody reads the upstream request's body and leaves it in place for the next reader.
func requestBody(req *http.Request) []byte {
	if req.Body == nil || req.Body == http.NoBody {
		return nil // io.ReadAll would still allocate its first buffer
	}
	b, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// setRequestBody replaces the upstream request's body.
func setRequestBody(req *http.Request, b []byte) {
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.ContentLength = int64(len(b))
	req.Header.Set("Content-Length", strconv.Itoa(len(b)))
}
