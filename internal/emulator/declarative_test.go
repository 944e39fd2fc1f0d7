package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// indent puts n spaces before every line of s but the first, for PEM in a YAML block scalar.
func indent(s string, n int) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+strings.Repeat(" ", n))
}

// everyEntityFile is a decK-shaped file with one or more of every entity type, nested where
// decK nests them and referenced by name where it names them.
func everyEntityFile(cert, key string) string {
	return `_format_version: "3.0"
_transform: true
certificates:
- cert: |
    ` + indent(cert, 4) + `
  key: |
    ` + indent(key, 4) + `
  tags: [edge]
  snis:
  - name: example.test
ca_certificates:
- cert: |
    ` + indent(cert, 4) + `
vaults:
- name: env
  prefix: my-env
  config:
    prefix: SECRET_
services:
- name: echo
  url: http://127.0.0.1:9/_emulator/echo
  routes:
  - name: echo-route
    paths: [/echo]
    plugins:
    - name: key-auth
  plugins:
  - name: correlation-id
routes:
- name: top-route
  service: echo
  paths: [/top]
upstreams:
- name: backend
  targets:
  - target: 127.0.0.1:9001
targets:
- target: 127.0.0.1:9002
  upstream: backend
consumers:
- username: alice
  keyauth_credentials:
  - key: alice-key
  basicauth_credentials:
  - username: alice
    password: alice-password
  jwt_secrets:
  - key: alice-issuer
    secret: alice-secret
  hmacauth_credentials:
  - username: alice-hmac
  acls:
  - group: admins
  groups:
  - name: gold
  plugins:
  - name: rate-limiting
    config:
      minute: 5
- username: bob
consumer_groups:
- name: gold
  consumers:
  - username: bob
  plugins:
  - name: rate-limiting
    config:
      minute: 50
plugins:
- name: cors
  service: echo
- name: ip-restriction
  route: top-route
  config:
    allow: [127.0.0.1]
- name: request-termination
  consumer: bob
  config:
    status_code: 403
- name: request-transformer
  consumer_group: gold
`
}

// list reads a whole collection of the harness's control plane.
func (h *harness) list(path string) []map[string]any {
	h.t.Helper()
	status, body := h.raw(http.MethodGet, h.core(path)+"?size=1000", "")
	if status != http.StatusOK {
		h.t.Fatalf("GET %s: %d %v", path, status, body)
	}
	var out []map[string]any
	for _, x := range body["data"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

// byField finds the listed entity whose field has the value.
func byField(t *testing.T, list []map[string]any, field, value string) map[string]any {
	t.Helper()
	for _, e := range list {
		if e[field] == value {
			return e
		}
	}
	t.Fatalf("no entity with %s %q in %v", field, value, list)
	return nil
}

func refID(e map[string]any, field string) string {
	m, _ := e[field].(map[string]any)
	id, _ := m["id"].(string)
	return id
}

func TestDeclarativeFileWithEveryEntityTypeLoads(t *testing.T) {
	t.Parallel()
	h := start(t)
	cert, key := selfSigned(t)
	result, err := h.emu.LoadDeclarativeConfig(h.cp.String(), []byte(everyEntityFile(cert, key)))
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		path string
		want int
	}{
		{"/certificates", 1}, {"/snis", 1}, {"/ca_certificates", 1}, {"/vaults", 1},
		{"/services", 1}, {"/routes", 2}, {"/upstreams", 1}, {"/consumers", 2}, {"/consumer_groups", 1},
		{"/plugins", 8}, {"/key-auths", 1}, {"/basic-auths", 1}, {"/jwts", 1}, {"/hmac-auths", 1},
	} {
		if got := len(h.list(c.path)); got != c.want {
			t.Errorf("%s: %d entities, want %d", c.path, got, c.want)
		}
	}

	services, routes, consumers := h.list("/services"), h.list("/routes"), h.list("/consumers")
	echo := byField(t, services, "name", "echo")
	if echo["host"] != "127.0.0.1" || echo["port"] != float64(9) || echo["path"] != "/_emulator/echo" {
		t.Errorf("the url shorthand was not expanded: %v", echo)
	}
	if result.Entities["services"][echo["id"].(string)] == nil {
		t.Errorf("service id %v is not in the result %v", echo["id"], result.Entities["services"])
	}
	for _, name := range []string{"echo-route", "top-route"} {
		if r := byField(t, routes, "name", name); refID(r, "service") != echo["id"] {
			t.Errorf("route %s points at %v, want the service %v", name, r["service"], echo["id"])
		}
	}
	alice, bob := byField(t, consumers, "username", "alice"), byField(t, consumers, "username", "bob")
	upstream := byField(t, h.list("/upstreams"), "name", "backend")
	targets := h.list("/upstreams/" + upstream["id"].(string) + "/targets")
	if len(targets) != 2 {
		t.Errorf("targets of backend: %v", targets)
	}
	cert1 := h.list("/certificates")[0]
	if sni := h.list("/snis")[0]; refID(sni, "certificate") != cert1["id"] {
		t.Errorf("sni %v does not point at the certificate %v", sni, cert1["id"])
	}
	for _, path := range []string{"/key-auth", "/basic-auth", "/jwt", "/hmac-auth", "/acls"} {
		if got := h.list("/consumers/" + alice["id"].(string) + path); len(got) != 1 {
			t.Errorf("alice's %s: %v", path, got)
		}
	}
	gold := byField(t, h.list("/consumer_groups"), "name", "gold")
	var members []string
	for _, c := range h.list("/consumer_groups/" + gold["id"].(string) + "/consumers") {
		members = append(members, c["username"].(string))
	}
	slices.Sort(members)
	if !slices.Equal(members, []string{"alice", "bob"}) {
		t.Errorf("members of gold: %v, want alice (from her groups) and bob (from the group's consumers)", members)
	}

	// Plugins point at what they name, nested or by name.
	plugins := h.list("/plugins")
	scope := func(name, field, want string) {
		t.Helper()
		for _, p := range plugins {
			if p["name"] == name && refID(p, field) == want {
				return
			}
		}
		t.Errorf("no %s plugin with %s %s", name, field, want)
	}
	scope("cors", "service", echo["id"].(string))
	scope("correlation-id", "service", echo["id"].(string))
	scope("key-auth", "route", byField(t, routes, "name", "echo-route")["id"].(string))
	scope("ip-restriction", "route", byField(t, routes, "name", "top-route")["id"].(string))
	scope("request-termination", "consumer", bob["id"].(string))
	scope("rate-limiting", "consumer", alice["id"].(string))
	scope("rate-limiting", "consumer_group", gold["id"].(string))
	scope("request-transformer", "consumer_group", gold["id"].(string))

	// The answer lists every entity by type and id, memberships included.
	for typ, n := range map[string]int{"services": 1, "routes": 2, "plugins": 8, "keyauth_credentials": 1,
		"basicauth_credentials": 1, "jwt_secrets": 1, "hmacauth_credentials": 1, "acls": 1, "targets": 2,
		"certificates": 1, "snis": 1, "ca_certificates": 1, "vaults": 1, "consumer_group_consumers": 2} {
		if got := len(result.Entities[typ]); got != n {
			t.Errorf("result %s: %d, want %d", typ, got, n)
		}
	}
}

// configServer serves the handler the Admin API mounts at POST /config, for a control plane.
func configServer(t *testing.T, h *harness) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h.emu.DeclarativeConfigHandler(h.cp.String()))
	t.Cleanup(srv.Close)
	return srv
}

// postConfig sends a POST /config and decodes the answer.
func postConfig(t *testing.T, srv *httptest.Server, query, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/config"+query, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("answer is not a JSON object: %s", data)
		}
	}
	return resp.StatusCode, out
}

const twoServices = `_format_version: "3.0"
services:
- name: keep
  host: keep.test
  routes:
  - name: keep-route
    paths: [/keep]
- name: drop
  host: drop.test
plugins:
- name: key-auth
  service: drop
consumers:
- username: carol
`

func TestDeclarativeInvalidFileGivesFlattenedErrorsAndChangesNothing(t *testing.T) {
	t.Parallel()
	h := start(t)
	srv := configServer(t, h)
	if status, body := postConfig(t, srv, "", "application/x-yaml", twoServices); status != http.StatusCreated {
		t.Fatalf("valid file: %d %v", status, body)
	}
	invalid := `_format_version: "3.0"
services:
- name: keep
  host: keep.test
  retries: many
  routes:
  - name: keep-route
    paths: [/keep]
    plugins:
    - name: no-such-plugin
plugins:
- name: key-auth
  service: missing-service
  tags: [auth]
- name: rate-limiting
  config:
    minute: -1
`
	status, body := postConfig(t, srv, "?flatten_errors=1", "application/x-yaml", invalid)
	if status != http.StatusBadRequest || body["code"] != float64(14) || body["name"] != "invalid declarative configuration" {
		t.Fatalf("%d %v", status, body)
	}
	type flat struct{ typ, name, field, message string }
	var got []flat
	for _, x := range body["flattened_errors"].([]any) {
		fe := x.(map[string]any)
		name, _ := fe["entity_name"].(string)
		for _, y := range fe["errors"].([]any) {
			e := y.(map[string]any)
			field, _ := e["field"].(string)
			got = append(got, flat{fe["entity_type"].(string), name, field, e["message"].(string)})
		}
	}
	want := []flat{
		{"service", "keep", "retries", "expected an integer"},
		{"plugin", "no-such-plugin", "name", "plugin 'no-such-plugin' not enabled; add it to the 'plugins' configuration property"},
		{"plugin", "key-auth", "service", "invalid reference 'service: missing-service' (no such entry in 'services')"},
		{"plugin", "rate-limiting", "config.minute", "value must be greater than 0"},
	}
	if len(got) != len(want) {
		t.Fatalf("flattened errors %v, want %v", got, want)
	}
	for i := range want {
		if got[i].typ != want[i].typ || got[i].name != want[i].name || got[i].field != want[i].field ||
			!strings.Contains(got[i].message, strings.SplitN(want[i].message, " ", 2)[0]) {
			t.Errorf("error %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if body["message"] != "declarative config is invalid: {}" || len(body["fields"].(map[string]any)) != 0 {
		t.Errorf("flattened answer keeps fields: %v", body)
	}
	// The plugin's entry shows the entity as the file gave it, with its tags.
	for _, x := range body["flattened_errors"].([]any) {
		fe := x.(map[string]any)
		if fe["entity_name"] == "key-auth" && fmt.Sprint(fe["entity_tags"]) != "[auth]" {
			t.Errorf("entity_tags %v", fe["entity_tags"])
		}
	}

	// Without flatten_errors, Kong's tree of fields shaped like the file.
	status, body = postConfig(t, srv, "", "application/x-yaml", invalid)
	fields, _ := body["fields"].(map[string]any)
	services, _ := fields["services"].([]any)
	if status != http.StatusBadRequest || len(services) != 1 || body["flattened_errors"] != nil ||
		!strings.HasPrefix(body["message"].(string), "declarative config is invalid: {plugins={{service=") {
		t.Fatalf("%d %v", status, body)
	}
	if svc := services[0].(map[string]any); svc["retries"] != "expected an integer" {
		t.Errorf("services[1]: %v", svc)
	}

	// Nothing changed: the first file's entities are all there.
	if names := fmt.Sprint(len(h.list("/services")), len(h.list("/routes")), len(h.list("/plugins")), len(h.list("/consumers"))); names != "2 1 1 1" {
		t.Errorf("services, routes, plugins, consumers after the refused file: %s, want 2 1 1 1", names)
	}
}

func TestDeclarativeFileReplacesTheConfiguration(t *testing.T) {
	t.Parallel()
	h := start(t)
	if _, err := h.emu.LoadDeclarativeConfig(h.cp.String(), []byte(twoServices)); err != nil {
		t.Fatal(err)
	}
	before := byField(t, h.list("/services"), "name", "keep")["id"]
	// Something made through the API is replaced too.
	h.post("/consumers", `{"username":"made-by-api"}`)

	if _, err := h.emu.LoadDeclarativeConfig(h.cp.String(), []byte(`_format_version: "3.0"
services:
- name: keep
  host: keep.test
`)); err != nil {
		t.Fatal(err)
	}
	services := h.list("/services")
	if len(services) != 1 || services[0]["name"] != "keep" {
		t.Fatalf("services after replacing: %v", services)
	}
	if services[0]["id"] != before {
		t.Errorf("the same file entity got id %v, then %v: Kong's ids are derived from the name", before, services[0]["id"])
	}
	for _, path := range []string{"/routes", "/plugins", "/consumers"} {
		if got := h.list(path); len(got) != 0 {
			t.Errorf("%s still has %v", path, got)
		}
	}
}

// One configuration, as YAML, as JSON, as a JSON body, and in a form's config field, loads the
// same entities with the same ids.
func TestDeclarativeYAMLAndJSONForms(t *testing.T) {
	t.Parallel()
	h := start(t)
	srv := configServer(t, h)
	asJSON := `{"_format_version":"3.0","services":[{"name":"s","host":"s.test","routes":[{"name":"r","paths":["/r"]}]}],` +
		`"consumers":[{"username":"dave","keyauth_credentials":[{"key":"dave-key"}]}],"plugins":[{"name":"key-auth","route":"r"}]}`
	asYAML := `_format_version: "3.0"
services:
- name: s
  host: s.test
  routes:
  - name: r
    paths: [/r]
consumers:
- username: dave
  keyauth_credentials:
  - key: dave-key
plugins:
- name: key-auth
  route: r
`
	configJSON, _ := json.Marshal(map[string]string{"config": asYAML})
	var ids []string
	for _, c := range []struct{ name, contentType, body string }{
		{"yaml text", "text/yaml", asYAML},
		{"json text", "text/plain", asJSON},
		{"json body", "application/json", asJSON},
		{"json config field", "application/json", string(configJSON)},
		{"form config field", "application/x-www-form-urlencoded", url.Values{"config": {asYAML}}.Encode()},
	} {
		status, body := postConfig(t, srv, "", c.contentType, c.body)
		if status != http.StatusCreated {
			t.Fatalf("%s: %d %v", c.name, status, body)
		}
		var got []string
		for _, typ := range []string{"services", "routes", "consumers", "keyauth_credentials", "plugins"} {
			entities, _ := body[typ].(map[string]any)
			if len(entities) != 1 {
				t.Fatalf("%s: %s %v", c.name, typ, body[typ])
			}
			for id := range entities {
				got = append(got, id)
			}
		}
		if ids == nil {
			ids = got
		} else if !slices.Equal(ids, got) {
			t.Errorf("%s: ids %v, want %v", c.name, got, ids)
		}
	}
	// The file loaded is the one running: check_hash=1 with it again is 304.
	if status, _ := postConfig(t, srv, "?check_hash=1", "text/yaml", asYAML); status != http.StatusNotModified {
		t.Errorf("check_hash with the same file: %d", status)
	}
	// Once the API changed the configuration, the same file is loaded again.
	h.post("/consumers", `{"username":"erin"}`)
	if status, _ := postConfig(t, srv, "?check_hash=1", "text/yaml", asYAML); status != http.StatusCreated || len(h.list("/consumers")) != 1 {
		t.Errorf("check_hash after a change: %d, consumers %v", status, h.list("/consumers"))
	}
	if status, body := postConfig(t, srv, "", "application/json", ""); status != http.StatusBadRequest ||
		body["message"] != "expected a declarative configuration" {
		t.Errorf("empty body: %d %v", status, body)
	}
	status, body := postConfig(t, srv, "", "text/yaml", "- just\n- a list\n")
	if fields, _ := body["fields"].(map[string]any); status != http.StatusBadRequest ||
		fields["error"] != "failed parsing declarative configuration: expected an object" {
		t.Errorf("not an object: %d %v", status, body)
	}
}

// Kong's documented Datakit third-party-auth example, in decK's shape with its service and
// route, loads unchanged and runs: the upstream gets the token service's bearer token.
func TestDeclarativeDatakitThirdPartyAuth(t *testing.T) {
	t.Parallel()
	h := start(t)
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		key := r.Header.Get("X-Api-Key")
		if r.Method != http.MethodPost || r.PostForm.Get("grant_type") != "client_credentials" ||
			r.PostForm.Get("client_id") != "my_client_id" || key == "" {
			http.Error(w, "bad token request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"token_type": "Bearer", "access_token": "token-for-" + key})
	}))
	t.Cleanup(tokens.Close)
	host, port := hostPort(t, h.emu.URL)
	file := fmt.Sprintf(`_format_version: "3.0"
services:
- name: example-service
  url: http://%s:%d/_emulator/echo
  routes:
  - name: example-route
    paths:
    - /anything
    plugins:
    - name: datakit
      config:
        nodes:
        - name: STATIC_INPUTS
          type: static
          values:
            headers:
              Content-Type: application/x-www-form-urlencoded
            body:
              grant_type: client_credentials
              client_id: my_client_id
        - name: BUILD_HEADERS
          type: jq
          inputs:
            headers: STATIC_INPUTS.headers
            query: request.query
          jq: |
            .headers * {
              "X-Api-Key": (.query.api_key // "none")
            }
        - name: AUTH_REQUEST
          type: call
          inputs:
            headers: BUILD_HEADERS
            body: STATIC_INPUTS.body
          url: %s/auth-token
          method: POST
        - name: UPSTREAM_AUTH_HEADER
          type: jq
          input: AUTH_REQUEST.body
          output: service_request.headers
          jq: |
            {
              Authorization: (.token_type + " " + .access_token)
            }
`, host, port, tokens.URL)
	if _, err := h.emu.LoadDeclarativeConfig(h.cp.String(), []byte(file)); err != nil {
		t.Fatal(err)
	}
	resp, body := send(t, h.proxy(), http.MethodGet, "/anything?api_key=my-key", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if got := http.Header(upstreamSaw(t, body).Headers).Get("Authorization"); got != "Bearer token-for-my-key" {
		t.Errorf("upstream Authorization %q, want Bearer token-for-my-key", got)
	}
}

// A file given at start is loaded into the default control plane; an invalid one fails the
// start naming the entity and the field.
func TestDeclarativeConfigAtStart(t *testing.T) {
	t.Parallel()
	emu, err := emulator.Start(context.Background(), emulator.Options{DeclarativeConfig: []byte(twoServices), DeclarativeConfigName: "kong.yml"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	h := &harness{t: t, emu: emu}
	h.cp = uuid.MustParse(emu.DefaultControlPlaneID())
	if got := len(h.list("/services")); got != 2 {
		t.Errorf("default control plane has %d services, want 2", got)
	}

	_, err = emulator.Start(context.Background(), emulator.Options{DeclarativeConfigName: "bad.yml",
		DeclarativeConfig: []byte("_format_version: \"3.0\"\nservices:\n- name: s\n  host: s.test\n  protocol: gopher\n")})
	if err == nil || !strings.Contains(err.Error(), "bad.yml") || !strings.Contains(err.Error(), "service 's' (services[0]): protocol: expected one of") {
		t.Errorf("start with an invalid file: %v", err)
	}
}

// GET /config exports the configuration as Kong does ({"config": yaml}, references as ids,
// _transform: false); posting it back changes nothing, hashed basic-auth passwords included.
func TestDeclarativeExportLoadsBackUnchanged(t *testing.T) {
	t.Parallel()
	h := start(t)
	srv := configServer(t, h)
	cert, key := selfSigned(t)
	if _, err := h.emu.LoadDeclarativeConfig(h.cp.String(), []byte(everyEntityFile(cert, key))); err != nil {
		t.Fatal(err)
	}
	paths := []string{"/services", "/routes", "/plugins", "/consumers", "/consumer_groups", "/upstreams", "/certificates",
		"/snis", "/ca_certificates", "/vaults", "/key-auths", "/basic-auths", "/jwts", "/hmac-auths"}
	snapshot := func() map[string][]map[string]any {
		out := map[string][]map[string]any{}
		for _, p := range paths {
			list := h.list(p)
			for _, e := range list {
				delete(e, "created_at")
				delete(e, "updated_at")
			}
			out[p] = list
		}
		return out
	}
	before := snapshot()

	resp, err := http.Get(srv.URL + "/config")
	if err != nil {
		t.Fatal(err)
	}
	var exported map[string]string
	err = json.NewDecoder(resp.Body).Decode(&exported)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(exported["config"], "_transform: false") {
		t.Fatalf("GET /config: %d %v %v", resp.StatusCode, exported, err)
	}
	if status, body := postConfig(t, srv, "", "text/yaml", exported["config"]); status != http.StatusCreated {
		t.Fatalf("posting the export back: %d %v", status, body)
	}
	after := snapshot()
	for _, p := range paths {
		b, _ := json.Marshal(before[p])
		a, _ := json.Marshal(after[p])
		if string(a) != string(b) {
			t.Errorf("%s changed:\n%s\n%s", p, b, a)
		}
	}
}

// A decK file's own keys are applied as decK applies them: select tags on every entity,
// defaults for the types decK gives them; a file for another control plane is refused.
// Kong's POST /config refuses those keys as unknown fields.
func TestDeclarativeDeckKeys(t *testing.T) {
	t.Parallel()
	h := start(t)
	status, cp := h.raw(http.MethodGet, "/v2/control-planes/"+h.cp.String(), "")
	cpName, _ := cp["name"].(string)
	if status != http.StatusOK || cpName == "" {
		t.Fatalf("%d %v", status, cp)
	}
	file := `_format_version: "3.0"
_konnect:
  control_plane_name: ` + cpName + `
_info:
  select_tags: [team-a]
  defaults:
    service:
      port: 8443
      protocol: https
services:
- name: s
  host: s.test
  tags: [mine]
  routes:
  - name: r
    paths: [/r]
`
	if _, err := h.emu.LoadDeclarativeConfig(h.cp.String(), []byte(file)); err != nil {
		t.Fatal(err)
	}
	svc := h.list("/services")[0]
	if fmt.Sprint(svc["tags"]) != "[mine team-a]" || svc["port"] != float64(8443) || svc["protocol"] != "https" {
		t.Errorf("service %v: want tags [mine team-a], port 8443 and https from _info", svc)
	}
	if r := h.list("/routes")[0]; fmt.Sprint(r["tags"]) != "[team-a]" {
		t.Errorf("route tags %v", r["tags"])
	}

	other := strings.Replace(file, "control_plane_name: "+cpName, "control_plane_name: prod", 1)
	if _, err := h.emu.LoadDeclarativeConfig(h.cp.String(), []byte(other)); err == nil ||
		!strings.Contains(err.Error(), "_konnect.control_plane_name: the file is for control plane 'prod'") {
		t.Errorf("a file for another control plane: %v", err)
	}
	status, body := postConfig(t, configServer(t, h), "", "text/yaml", file)
	if fields, _ := body["fields"].(map[string]any); status != http.StatusBadRequest || fields["_info"] != "unknown field" || fields["_konnect"] != "unknown field" {
		t.Errorf("POST /config with decK keys: %d %v", status, body)
	}
}

// The Kong Admin API's POST /config loads a declarative file into the default control plane,
// as Kong's DB-less mode does, and the Admin API then lists what it holds.
func TestAdminAPIPostConfigLoadsTheFile(t *testing.T) {
	t.Parallel()
	emu, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	resp, err := http.Post(emu.AdminURL+"/config", "application/x-yaml", strings.NewReader(twoServices))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /config: %d, want 201", resp.StatusCode)
	}
	resp, err = http.Get(emu.AdminURL + "/services/keep")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /services/keep after POST /config: %d, want 200", resp.StatusCode)
	}
}
