package emulator_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// TestEmulatorEndpointsNeedTheToken: /_emulator/* takes the API's token, except the health
// check and the echo upstream, which the gateway reaches without one.
func TestEmulatorEndpointsNeedTheToken(t *testing.T) {
	t.Parallel()
	h := start(t)
	guarded := []struct{ method, path, body string }{
		{http.MethodGet, "/_emulator/control-planes/" + h.cp.String(), ""},
		{http.MethodGet, "/_emulator/faults", ""},
		{http.MethodPut, "/_emulator/faults", `{"rate":1,"status":503}`},
		{http.MethodDelete, "/_emulator/faults", ""},
		{http.MethodPost, "/_emulator/reset", ""},
		{http.MethodGet, "/_emulator/no-such-endpoint", ""},
		{http.MethodPost, "/_emulator/echo/../reset", ""},
	}
	for _, g := range guarded {
		for _, auth := range []string{"", "Bearer wrong", "Bearer " + h.emu.Token + "x"} {
			status, body := h.raw(g.method, g.path, g.body, auth)
			if status != http.StatusUnauthorized || body["message"] != "Unauthorized" {
				t.Errorf("%s %s with %q: %d %v", g.method, g.path, auth, status, body)
			}
		}
	}
	// Nothing of the above happened: no faults, no reset.
	if _, err := h.c.GetControlPlaneWithResponse(h.ctx, h.cp); err != nil {
		t.Fatalf("after refused calls: %v", err)
	}
	if status, body := h.raw(http.MethodGet, "/_emulator/control-planes/"+h.cp.String(), ""); status != http.StatusOK || body["id"] != h.cp.String() {
		t.Fatalf("with the token: %d %v", status, body)
	}
	for _, open := range []string{"/_emulator/health", "/_emulator/echo", "/_emulator/echo/some/path"} {
		if status, body := h.raw(http.MethodGet, open, "", ""); status != http.StatusOK {
			t.Errorf("%s without a token: %d %v", open, status, body)
		}
	}
	// The echo upstream, reached through the gateway with only the client's headers.
	host, port := hostPort(t, h.emu.URL)
	h.post("/routes", fmt.Sprintf(`{"name":"to-echo","paths":["/echo"],"service":{"id":%q}}`,
		h.post("/services", fmt.Sprintf(`{"name":"echo","host":%q,"port":%d,"path":"/_emulator/echo"}`, host, port))["id"]))
	resp, body := send(t, h.proxy(), http.MethodGet, "/echo/x", nil)
	if resp.StatusCode != http.StatusOK || upstreamSaw(t, body).Path != "/_emulator/echo/x" {
		t.Fatalf("echo through the gateway: %d %s", resp.StatusCode, body)
	}
}

// TestConfiguredTokensAreNotKept: configured tokens are accepted, and the emulator does not
// hand them back (it keeps their hashes only).
func TestConfiguredTokensAreNotKept(t *testing.T) {
	t.Parallel()
	emu, err := emulator.Start(context.Background(), emulator.Options{Tokens: []string{"kpat_first", "kpat_second"}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = emu.Close() }()
	if emu.Token != "" {
		t.Fatalf("Token is %q; configured tokens should not be kept", emu.Token)
	}
	for token, want := range map[string]int{"kpat_first": 200, "kpat_second": 200, emulator.DevelopmentToken: 401, "kpat_firs": 401} {
		c, _ := client.New(emu.URL, client.WithPersonalAccessToken(token))
		_, err := c.ListControlPlanesWithResponse(context.Background(), nil)
		got := 200
		var e *client.APIError
		if errors.As(err, &e) {
			got = e.StatusCode
		} else if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("token %q: %d, want %d", token, got, want)
		}
	}
}

// sendBody posts size bytes, announced in Content-Length or chunked, and returns the status and
// the answer.
func sendBody(t *testing.T, method, url, token string, size int, chunked bool) (int, string) {
	t.Helper()
	body := strings.NewReader(`{"username":"` + strings.Repeat("a", size) + `"}`)
	var r io.Reader = body
	if chunked {
		r = io.MultiReader(body) // hides the length, so the request is chunked
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(answer)
}

// TestOversizedBodiesGet413: every endpoint that takes a body refuses one over 1 MiB, announced
// or not, in its API's format.
func TestOversizedBodiesGet413(t *testing.T) {
	t.Parallel()
	h := start(t)
	const big = 2 << 20
	for _, chunked := range []bool{false, true} {
		for _, tc := range []struct {
			method, path, want string
		}{
			{http.MethodPost, h.core("/consumers"), `{"code":3,"message":"request body too large"}`},
			{http.MethodPut, h.core("/consumers/" + orderedID(1)), `{"code":3,"message":"request body too large"}`},
			{http.MethodPost, "/v2/control-planes", `"status":413`},
			{http.MethodPatch, "/v2/control-planes/" + h.cp.String(), `"status":413`},
			{http.MethodPut, "/_emulator/faults", `{"code":3,"message":"request body too large"}`},
			{http.MethodPost, "/_emulator/echo", `{"code":3,"message":"request body too large"}`},
		} {
			status, answer := sendBody(t, tc.method, h.emu.URL+tc.path, h.emu.Token, big, chunked)
			if status != http.StatusRequestEntityTooLarge || !strings.Contains(answer, tc.want) {
				t.Errorf("%s %s (chunked %v): %d %s", tc.method, tc.path, chunked, status, answer)
			}
		}
	}
	// A body under the limit is taken.
	if status, answer := sendBody(t, http.MethodPost, h.emu.URL+h.core("/consumers"), h.emu.Token, 1000, true); status != http.StatusCreated {
		t.Fatalf("small chunked body: %d %s", status, answer)
	}
}

// cutOff sends the start of a request and then nothing: the server must close the connection.
// The test's own deadline only stops it from hanging; what it checks is that the server closed
// first, and that anything it answered is a 408.
func cutOff(t *testing.T, addr, partial string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := io.WriteString(conn, partial); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	answer, err := io.ReadAll(bufio.NewReader(conn))
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server kept a stalled request open: %q", partial)
	}
	if len(answer) > 0 && !strings.HasPrefix(string(answer), "HTTP/1.1 408") {
		t.Fatalf("answer to a stalled request: %q", answer)
	}
}

// TestSlowClientsAreCutOff: a client that stops sending headers or a body is disconnected after
// the configured timeouts (tiny here, so that the test is quick).
func TestSlowClientsAreCutOff(t *testing.T) {
	t.Parallel()
	emu, err := emulator.Start(context.Background(), emulator.Options{
		APITimeouts: emulator.APITimeouts{ReadHeader: 200 * time.Millisecond, Read: 300 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = emu.Close() }()
	addr := strings.TrimPrefix(emu.URL, "http://")
	cutOff(t, addr, "GET /v2/control-planes HTTP/1.1\r\nHost: x\r\n")
	cutOff(t, addr, "POST /v2/control-planes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+emu.Token+
		"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":")
}
