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
