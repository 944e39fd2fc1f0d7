package emulator_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Every reference must name an existing entity by a valid id.
func TestReferencesMustResolve(t *testing.T) {
	t.Parallel()
	h := start(t)
	missing := "7b7a4c0e-3e56-4b0f-9d6b-6f1c4d1f2a3b"
	for _, tc := range []struct {
		name, path, body, field, message string
	}{
		{"route with an empty service id", "/routes", `{"paths":["/"],"service":{"id":""}}`, "service.id", "expected a valid UUID"},
		{"route with a service id that is no UUID", "/routes", `{"paths":["/"],"service":{"id":"nope"}}`, "service.id", "expected a valid UUID"},
		{"route with an unknown service", "/routes", `{"paths":["/"],"service":{"id":"` + missing + `"}}`, "service", "service (type: foreign) constraint failed"},
		{"service with an unknown client certificate", "/services", `{"host":"x.test","client_certificate":{"id":"` + missing + `"}}`, "client_certificate", "client_certificate (type: foreign) constraint failed"},
		{"service with an unknown CA certificate", "/services", `{"host":"x.test","ca_certificates":["` + missing + `"]}`, "ca_certificates", "ca_certificates (type: foreign) constraint failed"},
		{"service with a CA certificate id that is no UUID", "/services", `{"host":"x.test","ca_certificates":["x"]}`, "ca_certificates[0]", "expected a valid UUID"},
		{"upstream with an unknown client certificate", "/upstreams", `{"name":"u.test","client_certificate":{"id":"` + missing + `"}}`, "client_certificate", "client_certificate (type: foreign) constraint failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := h.raw(http.MethodPost, h.core(tc.path), tc.body)
			if status != http.StatusBadRequest {
				t.Fatalf("%d %v", status, body)
			}
			d := body["details"].([]any)[0].(map[string]any)
			if d["field"] != tc.field || d["messages"].([]any)[0] != tc.message {
				t.Fatalf("detail: %v", d)
			}
		})
	}
}

// A certificate or CA certificate a service or upstream uses cannot be deleted.
func TestDeletingAReferencedCertificateIsRefused(t *testing.T) {
	t.Parallel()
	h := start(t)
	cert, key := selfSigned(t)
	esc := func(s string) string { return strings.ReplaceAll(s, "\n", `\n`) }
	_, c := h.raw(http.MethodPost, h.core("/certificates"), fmt.Sprintf(`{"cert":"%s","key":"%s"}`, esc(cert), esc(key)))
	_, ca := h.raw(http.MethodPost, h.core("/ca_certificates"), fmt.Sprintf(`{"cert":"%s"}`, esc(cert)))
	certID, caID := c["id"].(string), ca["id"].(string)
	status, svc := h.raw(http.MethodPost, h.core("/services"), fmt.Sprintf(`{"host":"x.test","client_certificate":{"id":"%s"},"ca_certificates":["%s"]}`, certID, caID))
	if status != http.StatusCreated {
		t.Fatalf("service: %d %v", status, svc)
	}
	status, up := h.raw(http.MethodPost, h.core("/upstreams"), fmt.Sprintf(`{"name":"u.test","client_certificate":{"id":"%s"}}`, certID))
	if status != http.StatusCreated {
		t.Fatalf("upstream: %d %v", status, up)
	}
	for _, tc := range []struct{ path, referrer string }{
		{"/certificates/" + certID, "service"},
		{"/ca_certificates/" + caID, "service"},
	} {
		status, body := h.raw(http.MethodDelete, h.core(tc.path), "")
		if status != http.StatusBadRequest || body["message"] != "data constraint error" ||
			!strings.Contains(fmt.Sprint(body["details"]), "constraint failed (type: foreign) as "+tc.referrer+" references this value") {
			t.Fatalf("delete %s: %d %v", tc.path, status, body)
		}
	}
	h.raw(http.MethodDelete, h.core("/services/"+svc["id"].(string)), "")
	if status, body := h.raw(http.MethodDelete, h.core("/certificates/"+certID), ""); status != http.StatusBadRequest ||
		!strings.Contains(fmt.Sprint(body["details"]), "as upstream references this value") {
		t.Fatalf("delete certificate an upstream uses: %d %v", status, body)
	}
	h.raw(http.MethodDelete, h.core("/upstreams/"+up["id"].(string)), "")
	for _, p := range []string{"/certificates/" + certID, "/ca_certificates/" + caID} {
		if status, body := h.raw(http.MethodDelete, h.core(p), ""); status != http.StatusNoContent {
			t.Fatalf("delete %s once unused: %d %v", p, status, body)
		}
	}
}

// A reference may name its entity by the entity's endpoint key instead of its id, as Kong
// accepts: {"name": ...} for a service, route, consumer group or key set, {"username": ...}
// for a consumer. It is stored and returned as {"id": ...}, and counts as a reference (a
// service a route names by name cannot be deleted; a consumer takes its plugins with it).
func TestReferencesByEndpointKey(t *testing.T) {
	t.Parallel()
	h := start(t)
	create := func(path, body string) string {
		t.Helper()
		status, e := h.raw(http.MethodPost, h.core(path), body)
		if status != http.StatusCreated {
			t.Fatalf("POST %s %s: %d %v", path, body, status, e)
		}
		return e["id"].(string)
	}
	serviceID := create("/services", `{"name":"example","host":"example.test"}`)
	aliceID := create("/consumers", `{"username":"alice"}`)
	groupID := create("/consumer_groups", `{"name":"gold"}`)
	setID := create("/key-sets", `{"name":"signing"}`)

	routeID := create("/routes", `{"name":"r","paths":["/"],"service":{"name":"example"}}`)
	pluginID := create("/plugins", `{"name":"rate-limiting","config":{"minute":5},"consumer":{"username":"alice"}}`)
	routePluginID := create("/plugins", `{"name":"key-auth","route":{"name":"r"}}`)
	groupPluginID := create("/plugins", `{"name":"rate-limiting","config":{"minute":9},"consumer_group":{"name":"gold"}}`)
	keyID := create("/keys", `{"name":"k","kid":"k1","jwk":"{\"kid\":\"k1\",\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}","set":{"name":"signing"}}`)
	// An id with the endpoint key of the same entity is that entity.
	putRoute := h.core("/routes/" + routeID)
	if status, e := h.raw(http.MethodPut, putRoute, `{"name":"r","paths":["/"],"service":{"id":"`+serviceID+`","name":"example"}}`); status != http.StatusOK {
		t.Fatalf("PUT route with id and name: %d %v", status, e)
	}

	for _, tc := range []struct{ path, field, id string }{
		{"/routes/" + routeID, "service", serviceID},
		{"/plugins/" + pluginID, "consumer", aliceID},
		{"/plugins/" + routePluginID, "route", routeID},
		{"/plugins/" + groupPluginID, "consumer_group", groupID},
		{"/keys/" + keyID, "set", setID},
	} {
		status, e := h.raw(http.MethodGet, h.core(tc.path), "")
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d %v", tc.path, status, e)
		}
		if got := fmt.Sprint(e[tc.field]); got != fmt.Sprint(map[string]any{"id": tc.id}) {
			t.Errorf("%s %s = %s, want {id: %s}", tc.path, tc.field, got, tc.id)
		}
	}
	if status, e := h.raw(http.MethodDelete, h.core("/services/example"), ""); status != http.StatusBadRequest {
		t.Errorf("delete a service a route names by name: %d %v", status, e)
	}
	if status, e := h.raw(http.MethodDelete, h.core("/consumers/alice"), ""); status != http.StatusNoContent {
		t.Fatalf("delete alice: %d %v", status, e)
	}
	if status, _ := h.raw(http.MethodGet, h.core("/plugins/"+pluginID), ""); status != http.StatusNotFound {
		t.Errorf("alice's plugin outlived her: %d", status)
	}
}

// A reference by an endpoint key that names nothing is refused as an unknown id is; one with
// neither id nor endpoint key, or with another key, is refused naming the field.
func TestReferencesByEndpointKeyRefused(t *testing.T) {
	t.Parallel()
	h := start(t)
	status, svc := h.raw(http.MethodPost, h.core("/services"), `{"name":"example","host":"example.test"}`)
	if status != http.StatusCreated {
		t.Fatalf("service: %d %v", status, svc)
	}
	h.raw(http.MethodPost, h.core("/services"), `{"name":"other","host":"other.test"}`)
	for _, tc := range []struct {
		name, path, body, field, message string
	}{
		{"route with an unknown service name", "/routes", `{"paths":["/"],"service":{"name":"nope"}}`, "service", "service (type: foreign) constraint failed"},
		{"plugin with an unknown consumer username", "/plugins", `{"name":"key-auth","consumer":{"username":"nobody"}}`, "consumer", "consumer (type: foreign) constraint failed"},
		{"route with id and the name of another service", "/routes", `{"paths":["/"],"service":{"id":"` + svc["id"].(string) + `","name":"other"}}`, "service", "service (type: foreign) constraint failed"},
		{"route with an empty reference", "/routes", `{"paths":["/"],"service":{}}`, "service.id", "required field missing"},
		{"route with a reference by another field", "/routes", `{"paths":["/"],"service":{"host":"example.test"}}`, "service.host", "unknown field"},
		{"plugin with a consumer by name, not username", "/plugins", `{"name":"key-auth","consumer":{"name":"alice"}}`, "consumer.name", "unknown field"},
		{"route with a service name that is not a string", "/routes", `{"paths":["/"],"service":{"name":5}}`, "service.name", "expected a string"},
		{"route with a service that is not an object", "/routes", `{"paths":["/"],"service":"example"}`, "service", "expected a record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := h.raw(http.MethodPost, h.core(tc.path), tc.body)
			if status != http.StatusBadRequest {
				t.Fatalf("%d %v", status, body)
			}
			d := body["details"].([]any)[0].(map[string]any)
			if d["field"] != tc.field || d["messages"].([]any)[0] != tc.message {
				t.Fatalf("detail: %v", d)
			}
		})
	}
}

// A route that names its service by name proxies to that service.
func TestRouteToServiceByNameProxies(t *testing.T) {
	t.Parallel()
	h := start(t)
	host, port := hostPort(t, echoServer(t, "by-name").URL)
	h.post("/services", fmt.Sprintf(`{"name":"echo","host":%q,"port":%d}`, host, port))
	h.post("/routes", `{"paths":["/by-name"],"service":{"name":"echo"}}`)
	resp, body := send(t, h.proxy(), http.MethodGet, "/by-name/x", nil)
	if resp.StatusCode != http.StatusOK || upstreamSaw(t, body).Server != "by-name" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

// A plugin naming a partial that does not exist is refused as an unknown reference, never
// stored and ignored.
func TestPluginPartialsAreReferences(t *testing.T) {
	t.Parallel()
	h := start(t)
	status, body := h.raw(http.MethodPost, h.core("/plugins"),
		`{"name":"rate-limiting","config":{"minute":5},"partials":[{"id":"cff1230a-00f7-4ae8-b376-c370f0eb4dae","path":"config.redis"}]}`)
	if status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(body["details"]), "partials (type: foreign) constraint failed") {
		t.Fatalf("%d %v", status, body)
	}
	if status, body := h.raw(http.MethodPost, h.core("/plugins"), `{"name":"rate-limiting","config":{"minute":5},"partials":[]}`); status != http.StatusCreated {
		t.Fatalf("no partials: %d %v", status, body)
	}
}
