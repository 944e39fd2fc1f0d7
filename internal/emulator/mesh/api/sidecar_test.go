package api_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// freePort is a loopback port nothing listens on at the time of the call.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return port
}

// A Dataplane written through the Mesh API gets its sidecar in the emulator: its inbound
// listens and forwards, a MeshOPA written later decides the next request, the emulator reports
// the listener, and deleting the Dataplane stops it.
func TestDataplaneSidecarFollowsTheAPI(t *testing.T) {
	t.Parallel()
	h := start(t)
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "echo")
	}))
	t.Cleanup(echo.Close)
	servicePort := echo.Listener.Addr().(*net.TCPAddr).Port
	inbound := freePort(t)
	h.mustPut("meshes/default/dataplanes/echo-1", fmt.Sprintf(`{"type":"Dataplane","mesh":"default","name":"echo-1",
	  "networking":{"address":"127.0.0.1","inbound":[{"port":%d,"servicePort":%d,
	  "tags":{"kuma.io/service":"echo","kuma.io/protocol":"http"}}]}}`, inbound, servicePort))
	url := fmt.Sprintf("http://127.0.0.1:%d/orders", inbound)
	get := func(header string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if header != "" {
			req.Header.Set("X-Allow", header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET through the sidecar: %v", err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if s := get(""); s != http.StatusOK {
		t.Fatalf("no policy: %d, want 200", s)
	}

	h.mustPut("meshes/default/meshopas/allow-header", `{"type":"MeshOPA","mesh":"default","name":"allow-header",
	  "spec":{"targetRef":{"kind":"Mesh"},"default":{"appendPolicies":[{"rego":{"inlineString":
	  "package envoy.authz\nimport rego.v1\ndefault allow := false\nallow if input.attributes.request.http.headers[\"x-allow\"] == \"yes\"\n"}}]}}}`)
	if s := get(""); s != http.StatusForbidden {
		t.Errorf("MeshOPA without the header: %d, want 403", s)
	}
	if s := get("yes"); s != http.StatusOK {
		t.Errorf("MeshOPA with the header: %d, want 200", s)
	}

	status, body := h.do(http.MethodGet, "/_emulator/mesh/control-planes/"+h.cp+"/meshes/default/dataplanes/echo-1", "")
	if status != http.StatusOK || !strings.Contains(string(body), fmt.Sprintf(`"address":"127.0.0.1:%d"`, inbound)) || !strings.Contains(string(body), "allow-header") {
		t.Errorf("listener report: %d %s", status, body)
	}
	if status, _ := h.do(http.MethodGet, "/_emulator/mesh/control-planes/"+h.cp+"/meshes/default/dataplanes/nope", ""); status != http.StatusNotFound {
		t.Errorf("report of an unknown dataplane: %d, want 404", status)
	}

	if status, body := h.do(http.MethodDelete, h.api("meshes/default/dataplanes/echo-1"), ""); status != http.StatusOK {
		t.Fatalf("deleting the dataplane: %d %s", status, body)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", inbound), 200*time.Millisecond)
		if err != nil {
			break
		}
		_ = conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the sidecar still listens after its dataplane was deleted")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
