package dataplane

import (
	"bufio"
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A header value a plugin built from request data (a request-transformer template over a
// decoded query argument) cannot start a header line of its own upstream.
func TestWriteRequestKeepsHeaderValuesOnTheirLine(t *testing.T) {
	t.Parallel()
	req := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/a b", RawQuery: "q=1"}, Host: "up.test",
		Header: http.Header{"X-Name": {"v\r\nX-Injected: yes"}, "Bad Name": {"dropped"}}}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	writeRequest(w, req, []byte("hi"))
	_ = w.Flush()
	want := "POST /a%20b?q=1 HTTP/1.1\r\nHost: up.test\r\nX-Name: v X-Injected: yes\r\nContent-Length: 2\r\n\r\nhi"
	if buf.String() != want {
		t.Errorf("wrote\n%q\nwant\n%q", buf.String(), want)
	}
	if strings.Contains(buf.String(), "\r\nX-Injected") {
		t.Error("a header line was injected")
	}
}
