package dataplane

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The test client is 127.0.0.1.
func TestIPRestriction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		config  map[string]any
		accept  string
		status  int
		message string // Kong's error message, for refusals
	}{
		{name: "allowed address", config: map[string]any{"allow": []any{"127.0.0.1"}}, status: http.StatusOK},
		{name: "allowed range", config: map[string]any{"allow": []any{"10.0.0.0/8", "127.0.0.0/8"}}, status: http.StatusOK},
		{name: "range with host bits", config: map[string]any{"allow": []any{"127.1.2.3/8"}}, status: http.StatusOK},
		{
			name: "not in the allow list", config: map[string]any{"allow": []any{"10.0.0.0/8"}},
			status: http.StatusForbidden, message: "IP address not allowed: 127.0.0.1",
		},
		{
			name: "an IPv6 list does not hold an IPv4 client", config: map[string]any{"allow": []any{"::1", "::ffff:127.0.0.1"}},
			status: http.StatusForbidden, message: "IP address not allowed: 127.0.0.1",
		},
		{
			name: "denied address", config: map[string]any{"deny": []any{"127.0.0.1"}},
			status: http.StatusForbidden, message: "IP address not allowed: 127.0.0.1",
		},
		{name: "not in the deny list", config: map[string]any{"deny": []any{"10.1.1.1", "::/0"}}, status: http.StatusOK},
		{
			name: "deny wins over allow", config: map[string]any{"allow": []any{"127.0.0.1"}, "deny": []any{"127.0.0.0/24"}},
			status: http.StatusForbidden, message: "IP address not allowed: 127.0.0.1",
		},
		{
			name: "status and message", config: map[string]any{"deny": []any{"127.0.0.1"}, "status": 401, "message": "Go away"},
			status: http.StatusUnauthorized, message: "Go away",
		},
		{
			name: "a status that is not an error is a plugin error", config: map[string]any{"deny": []any{"127.0.0.1"}, "status": 200},
			status: http.StatusInternalServerError, message: "An unexpected error occurred",
		},
		{
			name: "plain-text error", config: map[string]any{"deny": []any{"127.0.0.1"}}, accept: "text/plain",
			status: http.StatusForbidden,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := pluginGateway(t, nil, pluginEntity("ip-restriction", tt.config))
			h := http.Header{}
			if tt.accept != "" {
				h.Set("Accept", tt.accept)
			}
			resp, body := g.send(pluginRequest{path: "/t", header: h})
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			switch {
			case tt.status == http.StatusOK:
				g.echo(body)
			case tt.accept == "text/plain":
				if !strings.HasPrefix(string(body), "IP address not allowed: 127.0.0.1\nrequest_id: ") {
					t.Errorf("body %q", body)
				}
			default:
				if msg := kongErrorMessage(t, body); msg != tt.message {
					t.Errorf("message %q, want %q", msg, tt.message)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
			}
		})
	}
}

// TestIPRestrictionAddresses covers addresses the test client cannot have, through the
// handler directly.
func TestIPRestrictionAddresses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		clientIP    string
		allow, deny []any
		status      int // 0: let through
		message     string
	}{
		{clientIP: "2001:db8::5", allow: []any{"2001:db8::/32"}},
		{clientIP: "2001:db8::5", allow: []any{"[2001:db8::5]"}},
		{clientIP: "2001:db8::5", allow: []any{"[2001:db8::]/64"}},
		{clientIP: "2001:db9::5", allow: []any{"2001:db8::/32"}, status: 403, message: "IP address not allowed: 2001:db9::5"},
		{clientIP: "fe80::1%eth0", deny: []any{"fe80::/10"}, status: 403, message: "IP address not allowed: fe80::1"},
		{clientIP: "::ffff:10.0.0.1", allow: []any{"10.0.0.0/8"}, status: 403, message: "IP address not allowed: ::ffff:10.0.0.1"},
		{clientIP: "::ffff:10.0.0.1", allow: []any{"::ffff:10.0.0.0/104"}},
		{clientIP: "10.0.0.1", deny: []any{"0.0.0.0/0"}, status: 403, message: "IP address not allowed: 10.0.0.1"},
		{clientIP: "", allow: []any{"10.0.0.0/8"}, status: 403, message: "Cannot identify the client IP address, unix domain sockets are not supported."},
		{clientIP: "10.0.0.1", allow: []any{"10.0.0.300"}, status: 500, message: "An unexpected error occurred"},
	}
	for _, tt := range tests {
		h, err := buildPlugin(t, "ip-restriction", map[string]any{"allow": tt.allow, "deny": tt.deny})
		if err != nil {
			t.Fatal(err)
		}
		ctx := &Context{ClientIP: tt.clientIP, Request: httptest.NewRequest(http.MethodGet, "/", nil)}
		h.(AccessHandler).Access(ctx)
		switch {
		case tt.status == 0 && ctx.Exited():
			t.Errorf("%s allow %v deny %v: refused with %d", tt.clientIP, tt.allow, tt.deny, ctx.exit.status)
		case tt.status != 0 && !ctx.Exited():
			t.Errorf("%s allow %v deny %v: let through", tt.clientIP, tt.allow, tt.deny)
		case tt.status != 0 && (ctx.exit.status != tt.status || ctx.exit.message != tt.message):
			t.Errorf("%s: %d %q, want %d %q", tt.clientIP, ctx.exit.status, ctx.exit.message, tt.status, tt.message)
		}
	}
}
