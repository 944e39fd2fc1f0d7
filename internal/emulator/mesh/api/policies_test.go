package api_test

import (
	"net/http"
	"testing"
)

func TestDataplanePolicies(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.mustPut("meshes/default/dataplanes/dp-1", `{"type":"Dataplane","name":"dp-1","mesh":"default","labels":{"team":"a"},
		"networking":{"address":"127.0.0.1","inbound":[{"name":"http","port":18080,"servicePort":8080,"tags":{"kuma.io/service":"echo","version":"v1"}}]}}`)
	policies := map[string]string{
		// selecting dp-1, least specific first
		"opa-mesh": `{"targetRef":{"kind":"Mesh"},"default":{"appendPolicies":[{"rego":{"inlineString":"package a"}}],"authConfig":{"statusOnError":403}}}`,
		"opa-svc":  `{"targetRef":{"kind":"MeshService","name":"echo"},"default":{"appendPolicies":[{"secret":"b"}],"authConfig":{"onAgentFailure":"Allow"}}}`,
		"opa-dp":   `{"targetRef":{"kind":"Dataplane","labels":{"team":"a"},"sectionName":"http"},"default":{"authConfig":{"statusOnError":413}}}`,
		// not selecting it
		"opa-other":   `{"targetRef":{"kind":"MeshService","name":"other"},"default":{"authConfig":{"statusOnError":500}}}`,
		"opa-gateway": `{"targetRef":{"kind":"MeshGateway","name":"gw"},"default":{"authConfig":{"statusOnError":501}}}`,
		"opa-subset":  `{"targetRef":{"kind":"MeshSubset","tags":{"version":"v2"}},"default":{"authConfig":{"statusOnError":502}}}`,
		"opa-section": `{"targetRef":{"kind":"Dataplane","name":"dp-1","sectionName":"grpc"},"default":{"authConfig":{"statusOnError":503}}}`,
		"opa-gwproxy": `{"targetRef":{"kind":"Mesh","proxyTypes":["Gateway"]},"default":{"authConfig":{"statusOnError":504}}}`,
	}
	for name, spec := range policies {
		h.mustPut("meshes/default/meshopas/"+name, `{"type":"MeshOPA","name":"`+name+`","mesh":"default","spec":`+spec+`}`)
	}
	h.mustPut("meshes/default/meshtrafficpermissions/mtp-all", `{"type":"MeshTrafficPermission","name":"mtp-all","mesh":"default",
		"spec":{"targetRef":{"kind":"Mesh"},"from":[{"targetRef":{"kind":"Mesh"},"default":{"action":"Allow"}}]}}`)
	h.mustPut("meshes/default/meshtrafficpermissions/mtp-deny", `{"type":"MeshTrafficPermission","name":"mtp-deny","mesh":"default",
		"spec":{"targetRef":{"kind":"MeshService","name":"echo"},"from":[{"targetRef":{"kind":"MeshService","name":"web"},"default":{"action":"Deny"}}]}}`)
	h.mustPut("meshes/default/meshtrafficpermissions/mtp-other", `{"type":"MeshTrafficPermission","name":"mtp-other","mesh":"default",
		"spec":{"targetRef":{"kind":"MeshService","name":"other"},"from":[{"targetRef":{"kind":"Mesh"},"default":{"action":"Deny"}}]}}`)

	status, body := h.do(http.MethodGet, h.api("meshes/default/dataplanes/dp-1/_policies"), "")
	if status != http.StatusOK {
		t.Fatalf("_policies: %d %s", status, body)
	}
	jsonEqual(t, body, `{"policies":[
		{"kind":"MeshOPA",
		 "conf":{"appendPolicies":[{"rego":{"inlineString":"package a"}},{"secret":"b"}],"authConfig":{"statusOnError":413,"onAgentFailure":"Allow"}},
		 "origins":[{"kri":"kri_mopa_default___opa-mesh_"},{"kri":"kri_mopa_default___opa-svc_"},{"kri":"kri_mopa_default___opa-dp_"}]},
		{"kind":"MeshTrafficPermission",
		 "conf":{"from":[{"targetRef":{"kind":"Mesh"},"default":{"action":"Allow"}},{"targetRef":{"kind":"MeshService","name":"web"},"default":{"action":"Deny"}}]},
		 "origins":[{"kri":"kri_mtp_default___mtp-all_"},{"kri":"kri_mtp_default___mtp-deny_"}]}]}`)

	// A dataplane no policy selects but the mesh-wide ones.
	h.mustPut("meshes/default/dataplanes/dp-2", `{"type":"Dataplane","name":"dp-2","mesh":"default",
		"networking":{"address":"127.0.0.2","inbound":[{"port":18080,"tags":{"kuma.io/service":"web"}}]}}`)
	_, body = h.do(http.MethodGet, h.api("meshes/default/dataplanes/dp-2/_policies"), "")
	jsonEqual(t, body, `{"policies":[
		{"kind":"MeshOPA","conf":{"appendPolicies":[{"rego":{"inlineString":"package a"}}],"authConfig":{"statusOnError":403}},"origins":[{"kri":"kri_mopa_default___opa-mesh_"}]},
		{"kind":"MeshTrafficPermission","conf":{"from":[{"targetRef":{"kind":"Mesh"},"default":{"action":"Allow"}}]},"origins":[{"kri":"kri_mtp_default___mtp-all_"}]}]}`)
}
