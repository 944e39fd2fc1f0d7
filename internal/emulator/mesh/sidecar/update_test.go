package sidecar

import (
	"encoding/json"
	"net/http"
	"testing"
)

const (
	allowAll = "package envoy.authz\n\nallow := true\n"
	denyAll  = "package envoy.authz\n\nallow := false\n"
)

// TestPolicyUpdateAppliesToNextRequest: a changed policy decides the next request, on the same
// listener; removing the MeshOPA opens the inbound; removing the Dataplane stops the listener.
func TestPolicyUpdateAppliesToNextRequest(t *testing.T) {
	t.Parallel()
	tm := newTestMesh(t)
	tm.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(t, "opa", inlinePolicy(allowAll, nil))}})
	if status, _, _ := tm.do(call{}); status != http.StatusOK {
		t.Fatalf("allow-all: %d", status)
	}
	tm.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(t, "opa", inlinePolicy(denyAll, nil))}})
	if status, _, _ := tm.do(call{}); status != http.StatusForbidden {
		t.Fatalf("after the update to deny-all: %d", status)
	}
	tm.apply(Resources{})
	if status, _, _ := tm.do(call{}); status != http.StatusOK {
		t.Fatalf("without MeshOPA: %d", status)
	}
	if err := tm.m.Apply("cp", "m", Resources{}); err != nil {
		t.Fatal(err)
	}
	if ls := tm.m.Listeners("cp", "m", "dp-1"); len(ls) != 0 {
		t.Fatalf("listeners after the dataplane went: %+v", ls)
	}
	resp, err := tm.client.Get("http://127.0.0.1:" + itoa(tm.port) + "/")
	if err == nil {
		_ = resp.Body.Close()
		t.Fatal("the listener still answers after the dataplane was removed")
	}
}

// TestCompiledPolicyIsCached: re-applying the same policy text reuses the compiled policy set,
// and a policy no inbound uses any more is dropped.
func TestCompiledPolicyIsCached(t *testing.T) {
	t.Parallel()
	tm := newTestMesh(t)
	tm.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(t, "opa", inlinePolicy(readPolicy(t, "jwt_v1.rego"), nil))}})
	first := tm.m.meshes[meshKey{"cp", "m"}]["dp-1"][0].state.Load().authz.policy
	tm.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(t, "opa", inlinePolicy(readPolicy(t, "jwt_v1.rego"), map[string]any{"statusOnError": 500}))}})
	second := tm.m.meshes[meshKey{"cp", "m"}]["dp-1"][0].state.Load().authz.policy
	if first != second {
		t.Error("the unchanged policy was compiled again")
	}
	tm.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(t, "opa", inlinePolicy(allowAll, nil))}})
	if len(tm.m.compiled) != 1 {
		t.Errorf("%d compiled policy sets kept, want 1", len(tm.m.compiled))
	}
}
