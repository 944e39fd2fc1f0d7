package sidecar

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestListenersAndSelection: a loopback dataplane gets one listener per inbound; a dataplane on
// another address gets none; MeshOPAs apply only to the inbounds their targetRef selects.
func TestListenersAndSelection(t *testing.T) {
	t.Parallel()
	tm := newTestMesh(t)
	remote := mustJSON(t, map[string]any{"type": "Dataplane", "mesh": "m", "name": "dp-remote", "networking": map[string]any{
		"address": "10.0.0.7", "inbound": []any{map[string]any{"port": 9999, "tags": map[string]string{"kuma.io/service": "echo"}}}}})
	policies := []json.RawMessage{}
	for name, ref := range map[string]map[string]any{
		"by-service":   {"kind": "MeshService", "name": "echo"},
		"by-subset":    {"kind": "MeshSubset", "tags": map[string]string{"version": "v1"}},
		"by-labels":    {"kind": "Dataplane", "labels": map[string]string{"app": "echo"}},
		"other-svc":    {"kind": "MeshService", "name": "other"},
		"other-labels": {"kind": "Dataplane", "labels": map[string]string{"app": "other"}},
		"gateways":     {"kind": "Mesh", "proxyTypes": []string{"Gateway"}},
	} {
		policies = append(policies, mustJSON(t, map[string]any{"type": "MeshOPA", "mesh": "m", "name": name,
			"spec": map[string]any{"targetRef": ref, "default": inlinePolicy(allowAll, nil)}}))
	}
	tm.apply(Resources{Dataplanes: []json.RawMessage{remote}, MeshOPAs: policies})

	ls := tm.m.Listeners("cp", "m", "dp-1")
	if len(ls) != 1 {
		t.Fatalf("listeners %+v", ls)
	}
	l := ls[0]
	if l.Address != "127.0.0.1:"+itoa(tm.port) || l.ServiceAddress != "127.0.0.1:"+itoa(tm.upstreamPort()) || !l.Listening ||
		l.Service != "echo" || l.Protocol != "http" {
		t.Errorf("listener %+v", l)
	}
	if got := strings.Join(l.MeshOPAs, ","); got != "by-subset,by-service,by-labels" {
		t.Errorf("selected MeshOPAs %s, want by-subset,by-service,by-labels (least specific first)", got)
	}
	if ls := tm.m.Listeners("cp", "m", "dp-remote"); len(ls) != 0 {
		t.Errorf("a non-loopback dataplane got listeners %+v", ls)
	}
	if ls := tm.m.Listeners("cp", "other-mesh", "dp-1"); len(ls) != 0 {
		t.Errorf("another mesh reports dp-1: %+v", ls)
	}
}

// TestBindFailureIsReported: a port already taken is an error of Apply and of the listener report.
func TestBindFailureIsReported(t *testing.T) {
	t.Parallel()
	tm := newTestMesh(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = busy.Close() }()
	tm.port = busy.Addr().(*net.TCPAddr).Port
	if err := tm.m.Apply("cp", "m", Resources{Dataplanes: []json.RawMessage{tm.dataplane()}}); err == nil {
		t.Fatal("Apply did not report the taken port")
	}
	if ls := tm.m.Listeners("cp", "m", "dp-1"); len(ls) != 1 || ls[0].Listening || !strings.Contains(ls[0].Error, "address already in use") {
		t.Fatalf("listener %+v", ls)
	}
}

// TestTCPInbound: an inbound without kuma.io/protocol http forwards bytes; a MeshTrafficPermission
// denying the mesh closes the connection.
func TestTCPInbound(t *testing.T) {
	t.Parallel()
	tm := newTestMesh(t)
	tm.protocol = "tcp"
	tm.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(t, "opa", inlinePolicy(denyAll, nil))}})
	// A plain HTTP request passes as bytes: MeshOPA does not apply to TCP, and says so.
	if status, _, _ := tm.do(call{}); status != http.StatusOK {
		t.Fatalf("tcp inbound: %d", status)
	}
	if ne := strings.Join(tm.m.Listeners("cp", "m", "dp-1")[0].NotEnforced, "\n"); !strings.Contains(ne, "not http") {
		t.Errorf("not enforced %q", ne)
	}
	tm.apply(Resources{TrafficPermissions: []json.RawMessage{trafficPermissionResource(t, "deny", map[string]any{
		"targetRef": map[string]any{"kind": "Mesh"}, "from": []any{from("Mesh", "", "Deny")}})}})
	c, err := net.Dial("tcp", "127.0.0.1:"+itoa(tm.port))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if b, _ := io.ReadAll(c); len(b) != 0 {
		t.Fatalf("a denied TCP client got %q", b)
	}
}
