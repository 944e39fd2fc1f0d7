package dataplane

import (
	"net/http"
	"strings"
	"testing"
)

// TestRouteProtocols: what Kong's access phase answers when the matched route does not take
// the request's protocol, and a stream route that does not hide an HTTP one.
func TestRouteProtocols(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	_, svc := g.route("/")
	ref := map[string]any{"id": svc}
	g.add("routes", Entity{"paths": []any{"/grpc"}, "protocols": []any{"grpc", "grpcs"}, "service": ref})
	g.add("routes", Entity{"paths": []any{"/secure"}, "protocols": []any{"https"}, "https_redirect_status_code": 308, "service": ref})
	g.add("routes", Entity{"paths": []any{"/plain/stream"}, "protocols": []any{"tcp"}, "service": ref})

	cases := []struct {
		path, contentType string
		status            int
		contains          string
		header, value     string
	}{
		{path: "/grpc", status: http.StatusUnsupportedMediaType, contains: "Non-gRPC request matched gRPC route"},
		{path: "/grpc", contentType: "application/grpc+proto", status: http.StatusUpgradeRequired, contains: "Please use HTTP2 protocol",
			header: "Upgrade", value: "HTTP/2"},
		{path: "/secure/x?a=1", status: http.StatusPermanentRedirect, header: "Location", value: "https://gw.test/secure/x?a=1"},
		// The tcp route is left out of the router, so the catch-all route answers.
		{path: "/plain/stream", status: http.StatusOK, contains: `"path":"/plain/stream"`},
	}
	for _, tc := range cases {
		headers := map[string]string{"Host": "gw.test"}
		if tc.contentType != "" {
			headers["Content-Type"] = tc.contentType
		}
		req, _ := http.NewRequest(http.MethodPost, tc.path, nil)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		req.Host = "gw.test"
		resp, body := g.do(req)
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.contains) ||
			tc.header != "" && resp.Header.Get(tc.header) != tc.value {
			t.Errorf("%s %q: %d %v %s", tc.path, tc.contentType, resp.StatusCode, resp.Header, body)
		}
	}
}
