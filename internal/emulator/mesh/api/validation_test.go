package api_test

import (
	"net/http"
	"testing"
)

// opa is a MeshOPA body named "p" in mesh "default" with the given spec.
func opa(spec string) string {
	return `{"type":"MeshOPA","name":"p","mesh":"default","spec":` + spec + `}`
}

func TestMeshValidationErrors(t *testing.T) {
	t.Parallel()
	h := start(t)
	const process = `"type":"/std-errors","status":400,"title":"Could not process a resource","detail":"Resource is not valid"`
	const create = `"type":"/std-errors","status":400,"title":"Could not create a resource","detail":"Resource is not valid"`
	for _, tc := range []struct {
		name, path, body, want string
	}{
		{
			name: "targetRef kind outside the enum",
			path: "meshes/default/meshopas/p",
			body: opa(`{"targetRef":{"kind":"Service"},"default":{"appendPolicies":[{"rego":{"inlineString":"package a"}}]}}`),
			want: `{` + process + `,"invalid_parameters":[{"field":"spec.targetRef.kind","reason":"spec.targetRef.kind in body should be one of [Mesh MeshSubset MeshGateway MeshService MeshExternalService MeshMultiZoneService MeshServiceSubset MeshHTTPRoute Dataplane]"}]}`,
		},
		{
			name: "targetRef kind MeshOPA does not take",
			path: "meshes/default/meshopas/p",
			body: opa(`{"targetRef":{"kind":"MeshHTTPRoute","name":"r"},"default":{"appendPolicies":[{"rego":{"inlineString":"package a"}}]}}`),
			want: `{` + create + `,"invalid_parameters":[{"field":"spec.targetRef.kind","reason":"value is not supported"}]}`,
		},
		{
			name: "onAgentFailure",
			path: "meshes/default/meshopas/p",
			body: opa(`{"targetRef":{"kind":"Mesh"},"default":{"authConfig":{"onAgentFailure":"Maybe"}}}`),
			want: `{` + process + `,"invalid_parameters":[{"field":"spec.default.authConfig.onAgentFailure","reason":"spec.default.authConfig.onAgentFailure in body should be one of [Allow Deny allow deny]"}]}`,
		},
		{
			name: "rego without a source",
			path: "meshes/default/meshopas/p",
			body: opa(`{"targetRef":{"kind":"Mesh"},"default":{"appendPolicies":[{"rego":{}},{"ignoreDecision":true}]}}`),
			want: `{` + create + `,"invalid_parameters":[` +
				`{"field":"spec.default.appendPolicies[0].rego","reason":"exactly one of 'secret', 'inline' or 'inlineString' has to be defined"},` +
				`{"field":"spec.default.appendPolicies[1].rego","reason":"has to be defined"}]}`,
		},
		{
			name: "rego with two sources, 2.x form beside rego, bad auth values",
			path: "meshes/default/meshopas/p",
			body: opa(`{"default":{"appendPolicies":[{"rego":{"inlineString":"package a","secret":"s"}},{"rego":{"secret":"s"},"inlineString":"package b"}],` +
				`"authConfig":{"statusOnError":42,"timeout":"soon","requestBody":{"maxSize":-1}}}}`),
			want: `{` + create + `,"invalid_parameters":[` +
				`{"field":"spec.default.appendPolicies[0].rego","reason":"exactly one of 'secret', 'inline' or 'inlineString' has to be defined"},` +
				`{"field":"spec.default.appendPolicies[1]","reason":"'rego' cannot be used together with 'inlineString' or 'secret' beside it"},` +
				`{"field":"spec.default.authConfig.statusOnError","reason":"must be in inclusive range [100, 599]"},` +
				`{"field":"spec.default.authConfig.timeout","reason":"must be a valid duration, such as 500ms or 1s"},` +
				`{"field":"spec.default.authConfig.requestBody.maxSize","reason":"must be greater than or equal to 0"}]}`,
		},
		{
			name: "no default",
			path: "meshes/default/meshopas/p",
			body: opa(`{"targetRef":{"kind":"Mesh"}}`),
			want: `{` + create + `,"invalid_parameters":[{"field":"spec.default","reason":"must be defined"}]}`,
		},
		{
			name: "unknown field and wrong type",
			path: "meshes/default/meshopas/p",
			body: opa(`{"targetRef":{"kind":"Mesh"},"default":{"appendPolicies":[{"rego":{"inlineString":"package a"}}],"authConfig":{"statusOnError":"403"}},"extra":1}`),
			want: `{` + process + `,"invalid_parameters":[` +
				`{"field":"spec.default.authConfig.statusOnError","reason":"spec.default.authConfig.statusOnError in body must be of type integer: \"string\""},` +
				`{"field":"spec.extra","reason":"unknown field \"extra\""}]}`,
		},
		{
			name: "name, type and mesh differ from the URL",
			path: "meshes/default/secrets/p",
			body: `{"type":"Dataplane","name":"q","mesh":"other","data":"eA=="}`,
			want: `{` + process + `,"invalid_parameters":[` +
				`{"field":"name","reason":"name from the URL has to be the same as in body"},` +
				`{"field":"type","reason":"type from the URL has to be the same as in body"},` +
				`{"field":"mesh","reason":"mesh from the URL has to be the same as in body"}]}`,
		},
		{
			name: "invalid name",
			path: "meshes/default/secrets/Bad_Name!",
			body: `{"type":"Secret","name":"Bad_Name!","mesh":"default","data":"eA=="}`,
			want: `{` + process + `,"invalid_parameters":[{"field":"name","reason":"invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_', '.' symbols."}]}`,
		},
		{
			name: "invalid mesh name",
			path: "meshes/my.mesh",
			body: `{"type":"Mesh","name":"my.mesh"}`,
			want: `{` + process + `,"invalid_parameters":[{"field":"name","reason":"invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_' symbols."}]}`,
		},
		{
			name: "bad label key",
			path: "meshes/default/secrets/s",
			body: `{"type":"Secret","name":"s","mesh":"default","data":"eA==","labels":{"-bad":"x"}}`,
			want: `{` + process + `,"invalid_parameters":[{"field":"labels[\"-bad\"]","reason":"name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"}]}`,
		},
		{
			name: "secret without data",
			path: "meshes/default/secrets/s",
			body: `{"type":"Secret","name":"s","mesh":"default"}`,
			want: `{` + create + `,"invalid_parameters":[{"field":"data","reason":"cannot be empty"}]}`,
		},
		{
			name: "dataplane without address, service tag or valid port",
			path: "meshes/default/dataplanes/d",
			body: `{"type":"Dataplane","name":"d","mesh":"default","networking":{"inbound":[{"port":70000,"tags":{"app":"x"}}]}}`,
			want: `{` + create + `,"invalid_parameters":[` +
				`{"field":"networking.address","reason":"cannot be empty"},` +
				`{"field":"networking.inbound[0].port","reason":"port must be in the range from 1 to 65535"},` +
				`{"field":"networking.inbound[0].tags[\"kuma.io/service\"]","reason":"tag has to exist"}]}`,
		},
		{
			name: "traffic permission without from or action",
			path: "meshes/default/meshtrafficpermissions/m",
			body: `{"type":"MeshTrafficPermission","name":"m","mesh":"default","spec":{"targetRef":{"kind":"MeshGateway","name":"g"}}}`,
			want: `{` + create + `,"invalid_parameters":[{"field":"spec.targetRef.kind","reason":"value is not supported"},{"field":"spec.from","reason":"needs at least one item"}]}`,
		},
		{
			name: "missing spec",
			path: "meshes/default/meshtrafficpermissions/m",
			body: `{"type":"MeshTrafficPermission","name":"m","mesh":"default"}`,
			want: `{` + process + `,"invalid_parameters":[{"field":"spec","reason":"spec in body is required"}]}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, headers, body := h.doHeaders(http.MethodPut, h.api(tc.path), tc.body)
			if status != http.StatusBadRequest || headers.Get("Content-Type") != "application/problem+json" {
				t.Errorf("status %d %q, want 400 problem+json", status, headers.Get("Content-Type"))
			}
			jsonEqual(t, body, tc.want)
		})
	}
	// Nothing refused was stored.
	_, body := h.do(http.MethodGet, h.api("meshes/default/meshopas"), "")
	jsonEqual(t, body, `{"total":0,"items":[],"next":null}`)
}

// The Kong Mesh 2.x documented form (inlineString and secret beside rego, lowercase allow and
// deny) is accepted and read back exactly as sent, so a client that wrote it sees no change.
func TestMeshOPAKongMesh2xForm(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.mustPut("meshes/default/secrets/policy", `{"type":"Secret","name":"policy","mesh":"default","data":"cGFja2FnZSBlbnZveS5hdXRoego="}`)
	spec := `{"targetRef":{"kind":"Mesh"},"default":{"appendPolicies":[{"inlineString":"package envoy.authz\nallow { true }"},{"secret":"policy","ignoreDecision":false}],"authConfig":{"onAgentFailure":"allow"}}}`
	if status := h.mustPut("meshes/default/meshopas/p", opa(spec)); status != http.StatusCreated {
		t.Fatalf("create: %d", status)
	}
	got := h.mustGet("meshes/default/meshopas/p")
	_, raw := h.do(http.MethodGet, h.api("meshes/default/meshopas/p"), "")
	jsonEqual(t, raw, withServerFields(t, opa(spec), "kri_mopa_default___p_", got))

	deny := `{"targetRef":{"kind":"Mesh"},"default":{"appendPolicies":[{"rego":{"inline":"cGFja2FnZSBh"}}],"authConfig":{"onAgentFailure":"deny"}}}`
	if status := h.mustPut("meshes/default/meshopas/p", opa(deny)); status != http.StatusOK {
		t.Fatalf("update: %d", status)
	}
	got = h.mustGet("meshes/default/meshopas/p")
	if got["spec"].(map[string]any)["default"].(map[string]any)["authConfig"].(map[string]any)["onAgentFailure"] != "deny" {
		t.Errorf("onAgentFailure not kept as sent: %v", got["spec"])
	}
}
