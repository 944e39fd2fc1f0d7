package emulator_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A plugin the data plane does not run never breaks a route: a logging or tracing plugin is
// left out (and reported as skipped), the route serves as before. A plugin that decides who
// may pass (ldap-auth) fails closed: letting requests through would open a route its
// owner meant to protect, so they are answered 500, as Kong answers when a plugin fails.
func TestProxyPluginsNotRun(t *testing.T) {
	t.Parallel()
	h := start(t)
	up := echoServer(t, "echo")
	host, port := hostPort(t, up.URL)
	svc := h.post("/services", fmt.Sprintf(`{"name":"nr","host":%q,"port":%d}`, host, port))
	sid := svc["id"].(string)
	logged := h.post("/services/"+sid+"/routes", `{"paths":["/logged"]}`)
	guarded := h.post("/services/"+sid+"/routes", `{"paths":["/guarded"]}`)
	h.post("/routes/"+logged["id"].(string)+"/plugins", `{"name":"zipkin","config":{"http_endpoint":"http://zipkin.test/spans"}}`)
	h.post("/routes/"+logged["id"].(string)+"/plugins", `{"name":"syslog"}`)
	ldap := h.post("/routes/"+guarded["id"].(string)+"/plugins", `{"name":"ldap-auth","config":{"ldap_host":"ldap.test","base_dn":"dc=test","attribute":"cn"}}`)
	proxy := h.proxy()

	if resp, body := send(t, proxy, "GET", "/logged", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("/logged: %d %s", resp.StatusCode, body)
	}
	resp, body := send(t, proxy, "GET", "/guarded", nil)
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), "An unexpected error occurred") {
		t.Errorf("/guarded: %d %s", resp.StatusCode, body)
	}

	_, info := h.raw(http.MethodGet, "/_emulator/control-planes/"+h.cp.String(), "")
	reasons := map[string]string{}
	for _, s := range info["skipped"].([]any) {
		s := s.(map[string]any)
		reasons[s["name"].(string)] = s["reason"].(string)
	}
	if !strings.Contains(reasons["zipkin"], "does not run") || !strings.Contains(reasons["syslog"], "does not run") {
		t.Errorf("skipped: %v", info["skipped"])
	}
	if !strings.Contains(reasons["ldap-auth"], "answered 500") {
		t.Errorf("ldap-auth (%s) not reported as failing closed: %v", ldap["id"], info["skipped"])
	}
}
