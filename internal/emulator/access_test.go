package emulator_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// Konnect's refusals, as the tests expect them.
var (
	forbiddenProblem = map[string]any{"status": float64(403), "title": "Forbidden", "detail": "You do not have permission to perform this action"}
	createDenied     = map[string]any{"status": float64(403), "title": "Forbidden", "detail": "Insufficient role-set to create control planes."}
	forbiddenCore    = map[string]any{"code": float64(7), "message": "permission denied"}
	unauthenticated  = map[string]any{"status": float64(401), "title": "Unauthenticated", "detail": "A valid token is required"}
)

// hasAll tells whether body has every key of want with the same value.
func hasAll(body, want map[string]any) bool {
	for k, v := range want {
		if fmt.Sprint(body[k]) != fmt.Sprint(v) {
			return false
		}
	}
	return true
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	h := start(t)
	cpA, cpB, cpC := h.newControlPlane(), h.newControlPlane(), h.newControlPlane()
	// A consumer in cpC, for an organization admin to delete.
	status, consumer := h.raw(http.MethodPost, "/v2/control-planes/"+cpC+"/core-entities/consumers", `{"username":"c"}`)
	if status != http.StatusCreated {
		t.Fatalf("consumer: %d %v", status, consumer)
	}
	teamViewer := h.newSystemAccount()
	h.joinTeam(h.newTeam(cpRole("Viewer", cpA)), teamViewer)
	_, teamViewerToken := h.newToken(teamViewer, 3600e9)
	orgAdmin := h.newSystemAccount()
	h.joinTeam(h.organizationAdminTeam(), orgAdmin)
	_, orgAdminToken := h.newToken(orgAdmin, 3600e9)

	tokens := map[string]string{
		"owner":          "Bearer " + h.emu.Token,
		"viewer":         h.accountToken(cpRole("Viewer", cpA)),
		"admin":          h.accountToken(cpRole("Admin", cpB)),
		"creator":        h.accountToken(cpRole("Creator", "*")),
		"consumer-admin": h.accountToken(cpRole("Consumer Admin", cpA)),
		"deployer":       h.accountToken(cpRole("Deployer", cpA)),
		"team-viewer":    "Bearer " + teamViewerToken,
		"all-viewer":     h.accountToken(role{name: "Viewer", entityType: "Control Planes", entityID: "*", region: "*"}),
		"eu-viewer":      h.accountToken(role{name: "Viewer", entityType: "Control Planes", entityID: cpA, region: "eu"}),
		"org-admin":      "Bearer " + orgAdminToken,
		"mesh-viewer":    h.accountToken(role{name: "Viewer", entityType: "Mesh Control Planes", entityID: "*"}),
	}
	core := func(cp, p string) string { return "/v2/control-planes/" + cp + "/core-entities" + p }
	newName := func() string { return `{"name":"n` + uuid.NewString()[:8] + `"}` }
	newService := func() string { return `{"name":"s` + uuid.NewString()[:8] + `","host":"example.com"}` }
	newConsumer := func() string { return `{"username":"u` + uuid.NewString()[:8] + `"}` }
	cases := []struct {
		who, method, path string
		body              func() string
		status            int
		want              map[string]any
	}{
		{"viewer", http.MethodGet, core(cpA, "/consumers"), nil, http.StatusOK, nil},
		{"viewer", http.MethodPost, core(cpA, "/consumers"), newConsumer, http.StatusForbidden, forbiddenCore},
		{"viewer", http.MethodGet, "/v2/control-planes/" + cpA, nil, http.StatusOK, map[string]any{"id": cpA}},
		{"viewer", http.MethodPatch, "/v2/control-planes/" + cpA, func() string { return `{"description":"x"}` }, http.StatusForbidden, forbiddenProblem},
		{"viewer", http.MethodDelete, "/v2/control-planes/" + cpA, nil, http.StatusForbidden, forbiddenProblem},
		{"viewer", http.MethodGet, "/v2/control-planes/" + cpC, nil, http.StatusForbidden, forbiddenProblem},
		{"viewer", http.MethodGet, core(cpC, "/consumers"), nil, http.StatusForbidden, forbiddenCore},
		{"viewer", http.MethodPost, "/v2/control-planes", newName, http.StatusForbidden, createDenied},
		{"viewer", http.MethodGet, "/v3/teams", nil, http.StatusForbidden, forbiddenProblem},
		{"viewer", http.MethodGet, "/v3/roles", nil, http.StatusOK, nil},
		{"viewer", http.MethodGet, "/v3/users/me", nil, http.StatusUnauthorized, unauthenticated},
		{"viewer", http.MethodGet, "/_emulator/plugins", nil, http.StatusUnauthorized, nil},
		{"admin", http.MethodPost, core(cpB, "/consumers"), newConsumer, http.StatusCreated, nil},
		{"admin", http.MethodPatch, "/v2/control-planes/" + cpB, func() string { return `{"description":"by admin"}` }, http.StatusOK, map[string]any{"description": "by admin"}},
		{"admin", http.MethodGet, core(cpA, "/services"), nil, http.StatusForbidden, forbiddenCore},
		{"admin", http.MethodPost, "/v2/control-planes", newName, http.StatusForbidden, createDenied},
		{"creator", http.MethodGet, "/v2/control-planes/" + cpA, nil, http.StatusForbidden, forbiddenProblem},
		{"consumer-admin", http.MethodPost, core(cpA, "/consumers"), newConsumer, http.StatusCreated, nil},
		{"consumer-admin", http.MethodPost, core(cpA, "/services"), newService, http.StatusForbidden, forbiddenCore},
		{"consumer-admin", http.MethodPatch, "/v2/control-planes/" + cpA, func() string { return `{"description":"x"}` }, http.StatusForbidden, forbiddenProblem},
		{"deployer", http.MethodPost, core(cpA, "/services"), newService, http.StatusCreated, nil},
		{"deployer", http.MethodPost, core(cpA, "/consumers"), newConsumer, http.StatusForbidden, forbiddenCore},
		{"team-viewer", http.MethodGet, core(cpA, "/consumers"), nil, http.StatusOK, nil},
		{"team-viewer", http.MethodPost, core(cpA, "/consumers"), newConsumer, http.StatusForbidden, forbiddenCore},
		{"all-viewer", http.MethodGet, "/v2/control-planes/" + cpC, nil, http.StatusOK, map[string]any{"id": cpC}},
		{"all-viewer", http.MethodDelete, core(cpC, "/consumers/"+consumer["id"].(string)), nil, http.StatusForbidden, forbiddenCore},
		{"eu-viewer", http.MethodGet, "/v2/control-planes/" + cpA, nil, http.StatusForbidden, forbiddenProblem},
		{"org-admin", http.MethodGet, "/v3/system-accounts", nil, http.StatusOK, nil},
		{"org-admin", http.MethodDelete, core(cpC, "/consumers/"+consumer["id"].(string)), nil, http.StatusNoContent, nil},
		{"mesh-viewer", http.MethodGet, "/v1/mesh/control-planes/" + uuid.NewString(), nil, http.StatusNotFound, nil},
		{"mesh-viewer", http.MethodDelete, "/v1/mesh/control-planes/" + uuid.NewString(), nil, http.StatusForbidden, forbiddenProblem},
		{"viewer", http.MethodGet, "/v1/mesh/control-planes/" + uuid.NewString(), nil, http.StatusForbidden, forbiddenProblem},
		{"owner", http.MethodGet, "/v3/users/me", nil, http.StatusOK, map[string]any{"email": "owner@konnect.localhost"}},
		{"owner", http.MethodGet, "/v2/control-planes/" + uuid.NewString(), nil, http.StatusNotFound, nil},
	}
	for _, c := range cases {
		body := ""
		if c.body != nil {
			body = c.body()
		}
		status, got := h.raw(c.method, c.path, body, tokens[c.who])
		if status != c.status || !hasAll(got, c.want) {
			t.Errorf("%s %s %s: %d %v, want %d %v", c.who, c.method, strings.Replace(c.path, h.cp.String(), "<cp>", 1), status, got, c.status, c.want)
		}
	}
}
