package emulator_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// syncBuffer is a log sink the server's goroutines may write concurrently.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestAccessTokenLifecycle(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	emu, err := emulator.Start(context.Background(), emulator.Options{Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	c, err := client.New(emu.URL, client.WithPersonalAccessToken(emu.Token))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, emu: emu, c: c, ctx: context.Background()}
	cp := h.newControlPlane()
	account := h.newSystemAccount(cpRole("Viewer", cp))

	// Created: the value is in the create answer only, spat_ and 50 characters.
	tokenID, value := h.newToken(account, time.Hour)
	if !strings.HasPrefix(value, "spat_") || len(value) != 55 {
		t.Fatalf("token value %q", value)
	}
	status, got := h.raw(http.MethodGet, "/v3/system-accounts/"+account+"/access-tokens/"+tokenID, "")
	if _, shown := got["token"]; status != http.StatusOK || shown || got["expires_at"] == nil || got["name"] == nil {
		t.Fatalf("token read back: %d %v", status, got)
	}
	status, got = h.raw(http.MethodGet, "/v3/system-accounts/"+account+"/access-tokens", "")
	if data, _ := got["data"].([]any); status != http.StatusOK || len(data) != 1 || strings.Contains(emulatorJSON(got), value) {
		t.Fatalf("token list: %d %v", status, got)
	}

	// It works, and is noted as used; the logs never carry it.
	bearer := "Bearer " + value
	if status, got = h.raw(http.MethodGet, "/v2/control-planes/"+cp, "", bearer); status != http.StatusOK {
		t.Fatalf("with the token: %d %v", status, got)
	}
	if _, got = h.raw(http.MethodGet, "/v3/system-accounts/"+account+"/access-tokens/"+tokenID, ""); got["last_used_at"] == nil {
		t.Errorf("last_used_at not set after use: %v", got)
	}
	if strings.Contains(logs.String(), value) || strings.Contains(logs.String(), value[5:]) {
		t.Error("the token value was logged")
	}

	// A duplicate name is a 409; an expiry in the past a 400.
	status, got = h.raw(http.MethodPost, "/v3/system-accounts/"+account+"/access-tokens", `{"name":"dup","expires_at":"2099-01-01T00:00:00Z"}`)
	if status != http.StatusCreated {
		t.Fatalf("token dup: %d %v", status, got)
	}
	if status, got = h.raw(http.MethodPost, "/v3/system-accounts/"+account+"/access-tokens", `{"name":"dup","expires_at":"2099-01-01T00:00:00Z"}`); status != http.StatusConflict || got["status"] != float64(409) {
		t.Errorf("duplicate token name: %d %v", status, got)
	}
	if status, got = h.raw(http.MethodPost, "/v3/system-accounts/"+account+"/access-tokens", `{"name":"old","expires_at":"2001-01-01T00:00:00Z"}`); status != http.StatusBadRequest || !strings.Contains(emulatorJSON(got), "expires_at") {
		t.Errorf("token expired at creation: %d %v", status, got)
	}

	// Deleted: 401 from then on, in each API's format.
	if status, _ = h.raw(http.MethodDelete, "/v3/system-accounts/"+account+"/access-tokens/"+tokenID, ""); status != http.StatusNoContent {
		t.Fatalf("token delete: %d", status)
	}
	if status, got = h.raw(http.MethodGet, "/v2/control-planes/"+cp, "", bearer); status != http.StatusUnauthorized {
		t.Errorf("deleted token on control planes: %d %v", status, got)
	}
	if status, got = h.raw(http.MethodGet, "/v2/control-planes/"+cp+"/core-entities/consumers", "", bearer); status != http.StatusUnauthorized || got["message"] != "Unauthorized" {
		t.Errorf("deleted token on core entities: %d %v", status, got)
	}
	if status, got = h.raw(http.MethodGet, "/v3/roles", "", bearer); status != http.StatusUnauthorized || !hasAll(got, unauthenticated) {
		t.Errorf("deleted token on identity: %d %v", status, got)
	}

	// Expired: 401 once expires_at has passed.
	_, short := h.newToken(account, 1500*time.Millisecond)
	if status, _ = h.raw(http.MethodGet, "/v3/roles", "", "Bearer "+short); status != http.StatusOK {
		t.Fatalf("fresh token: %d", status)
	}
	time.Sleep(1600 * time.Millisecond)
	if status, got = h.raw(http.MethodGet, "/v3/roles", "", "Bearer "+short); status != http.StatusUnauthorized || !hasAll(got, unauthenticated) {
		t.Errorf("expired token: %d %v", status, got)
	}

	// Unknown, and the tokens of a deleted account: 401.
	if status, _ = h.raw(http.MethodGet, "/v3/roles", "", "Bearer spat_"+strings.Repeat("x", 50)); status != http.StatusUnauthorized {
		t.Errorf("unknown token: %d", status)
	}
	_, other := h.newToken(account, time.Hour)
	if status, _ = h.raw(http.MethodDelete, "/v3/system-accounts/"+account, ""); status != http.StatusNoContent {
		t.Fatalf("account delete: %d", status)
	}
	if status, _ = h.raw(http.MethodGet, "/v3/roles", "", "Bearer "+other); status != http.StatusUnauthorized {
		t.Errorf("token of a deleted account: %d", status)
	}
	if status, _ = h.raw(http.MethodGet, "/v3/system-accounts/"+account+"/access-tokens", ""); status != http.StatusNotFound {
		t.Errorf("tokens of a deleted account: %d", status)
	}
}

func TestControlPlaneListShowsOnlyWhatThePrincipalSees(t *testing.T) {
	t.Parallel()
	h := start(t)
	a, b := h.newControlPlane(), h.newControlPlane()
	_ = h.newControlPlane()
	bearer := h.accountToken(cpRole("Viewer", a), cpRole("Deployer", b))
	status, got := h.raw(http.MethodGet, "/v2/control-planes?page[size]=1", "", bearer)
	if status != http.StatusOK {
		t.Fatalf("list: %d %v", status, got)
	}
	if total := got["meta"].(map[string]any)["page"].(map[string]any)["total"]; total != float64(2) {
		t.Errorf("total %v, want 2", total)
	}
	seen := map[string]bool{}
	for page := 1; page <= 2; page++ {
		_, got = h.raw(http.MethodGet, "/v2/control-planes?page[size]=1&page[number]="+string(rune('0'+page)), "", bearer)
		for _, cp := range got["data"].([]any) {
			seen[cp.(map[string]any)["id"].(string)] = true
		}
	}
	if len(seen) != 2 || !seen[a] || !seen[b] {
		t.Errorf("listed %v, want %s and %s", seen, a, b)
	}
	// The owner sees every control plane (the default one, the harness's and these three).
	if _, got = h.raw(http.MethodGet, "/v2/control-planes", ""); got["meta"].(map[string]any)["page"].(map[string]any)["total"] != float64(5) {
		t.Errorf("owner's list: %v", got["meta"])
	}
}

func TestCreatorAdministersWhatItCreates(t *testing.T) {
	t.Parallel()
	h := start(t)
	bearer := h.accountToken(cpRole("Creator", "*"))
	status, created := h.raw(http.MethodPost, "/v2/control-planes", `{"name":"made-by-creator"}`, bearer)
	if status != http.StatusCreated {
		t.Fatalf("create: %d %v", status, created)
	}
	id := created["id"].(string)
	if status, got := h.raw(http.MethodPost, "/v2/control-planes/"+id+"/core-entities/services", `{"name":"s","host":"example.com"}`, bearer); status != http.StatusCreated {
		t.Errorf("service in its own control plane: %d %v", status, got)
	}
	_, got := h.raw(http.MethodGet, "/v2/control-planes", "", bearer)
	if data := got["data"].([]any); len(data) != 1 || data[0].(map[string]any)["id"] != id {
		t.Errorf("creator's list: %v", got)
	}
	if status, got := h.raw(http.MethodGet, "/v2/control-planes/"+h.cp.String(), "", bearer); status != http.StatusForbidden {
		t.Errorf("another control plane: %d %v", status, got)
	}
	if status, _ := h.raw(http.MethodDelete, "/v2/control-planes/"+id, "", bearer); status != http.StatusNoContent {
		t.Errorf("delete its own control plane: %d", status)
	}
}

// TestIdentityClient drives the identity API with the generated client, as the provider will.
func TestIdentityClient(t *testing.T) {
	t.Parallel()
	h := start(t)
	ctx := h.ctx

	me, err := h.c.GetUsersMeWithResponse(ctx)
	if err != nil || me.JSON200 == nil || string(*me.JSON200.Email) != "owner@konnect.localhost" {
		t.Fatalf("users/me: %v %v", err, me)
	}
	users, err := h.c.ListUsersWithResponse(ctx, &client.ListUsersParams{})
	if err != nil || users.JSON200.Meta.Page.Total != 1 || *users.JSON200.Data[0].Id != *me.JSON200.Id {
		t.Fatalf("users: %v %+v", err, users)
	}
	if owner, err := h.c.GetUserWithResponse(ctx, *me.JSON200.Id); err != nil || *owner.JSON200.FullName != "Organization Owner" {
		t.Errorf("user by id: %v %+v", err, owner)
	}
	ownerTeams, err := h.c.ListUserTeamsWithResponse(ctx, *me.JSON200.Id, &client.ListUserTeamsParams{})
	if err != nil || len(ownerTeams.JSON200.Data) != 1 || ownerTeams.JSON200.Data[0].Name != "Organization Admin" {
		t.Errorf("owner's teams: %v %+v", err, ownerTeams)
	}
	roles, err := h.c.GetPredefinedRolesWithResponse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cpRoles := (*roles.JSON200)["control_planes"]
	if cpRoles.Name != "Control Planes" || cpRoles.Roles["viewer"].Name != "Viewer" || cpRoles.Roles["admin"].Name != "Admin" || cpRoles.Roles["creator"].Name != "Creator" {
		t.Errorf("control plane roles: %+v", cpRoles)
	}

	team, err := h.c.CreateTeamWithResponse(ctx, client.CreateTeamRequest{Name: "platform", Description: ptr("the platform team"), Labels: &client.Labels{"env": "test"}})
	if err != nil {
		t.Fatal(err)
	}
	teamID := *team.JSON201.Id
	assigned, err := h.c.TeamsAssignRoleWithResponse(ctx, teamID, cpRole("Viewer", h.cp.String()).request())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.c.TeamsAssignRoleWithResponse(ctx, teamID, cpRole("Viewer", h.cp.String()).request()); !client.IsConflict(err) {
		t.Errorf("assigning twice: %v", err)
	}
	if _, err := h.c.TeamsAssignRoleWithResponse(ctx, teamID, cpRole("Publisher", h.cp.String()).request()); apiErr(t, err).StatusCode != http.StatusBadRequest {
		t.Errorf("a role control planes do not have: %v", err)
	}
	list, err := h.c.ListTeamRolesWithResponse(ctx, teamID, &client.ListTeamRolesParams{})
	if err != nil || len(list.JSON200.Data) != 1 || *list.JSON200.Data[0].Id != *assigned.JSON201.Id || *list.JSON200.Data[0].EntityId != h.cp.String() {
		t.Fatalf("team roles: %v %+v", err, list.JSON200)
	}

	account := h.newSystemAccount()
	h.joinTeam(teamID.String(), account)
	if _, err := h.c.PostTeamsTeamIdSystemAccountsWithResponse(ctx, teamID.String(), client.AddSystemAccountToTeamRequest{Id: ptr(uuid.MustParse(account))}); !client.IsConflict(err) {
		t.Errorf("joining twice: %v", err)
	}
	teams, err := h.c.GetSystemAccountsAccountIdTeamsWithResponse(ctx, account, &client.GetSystemAccountsAccountIdTeamsParams{})
	if err != nil || len(teams.JSON200.Data) != 1 || teams.JSON200.Data[0].Name != "platform" {
		t.Fatalf("account's teams: %v %+v", err, teams.JSON200)
	}
	members, err := h.c.GetTeamsTeamIdSystemAccountsWithResponse(ctx, teamID.String(), &client.GetTeamsTeamIdSystemAccountsParams{})
	if err != nil || len(members.JSON200.Data) != 1 || members.JSON200.Data[0].Id.String() != account {
		t.Fatalf("team's accounts: %v %+v", err, members.JSON200)
	}

	// The account reads through its team's role with its own client.
	_, value := h.newToken(account, time.Hour)
	sc, err := client.New(h.emu.URL, client.WithSystemAccountToken(value))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.GetControlPlaneWithResponse(ctx, h.cp); err != nil {
		t.Errorf("reading through the team's role: %v", err)
	}
	_, err = sc.UpsertConsumerWithResponse(ctx, h.cp, uuid.NewString(), client.Consumer{Username: ptr("nope")})
	if apiErr(t, err).StatusCode != http.StatusForbidden || !strings.Contains(err.Error(), "permission denied") || !strings.Contains(err.Error(), "You do not have permission to perform this action") {
		t.Errorf("writing through a viewer role: %v", err)
	}

	// Removing the role takes the access away at once.
	if _, err := h.c.TeamsRemoveRoleWithResponse(ctx, teamID, *assigned.JSON201.Id); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.GetControlPlaneWithResponse(ctx, h.cp); apiErr(t, err).StatusCode != http.StatusForbidden {
		t.Errorf("after the role is removed: %v", err)
	}

	// Filters and errors.
	accounts, err := h.c.GetSystemAccountsWithResponse(ctx, &client.GetSystemAccountsParams{})
	if err != nil || accounts.JSON200.Meta.Page.Total != 1 {
		t.Fatalf("system accounts: %v %+v", err, accounts)
	}
	dup, err := h.c.PostSystemAccountsWithResponse(ctx, client.CreateSystemAccountRequest{Name: *accounts.JSON200.Data[0].Name, Description: "again"})
	if !client.IsConflict(err) {
		t.Errorf("duplicate account name: %v %v", err, dup)
	}
	if _, err := h.c.GetTeamWithResponse(ctx, uuid.New()); !client.IsNotFound(err) {
		t.Errorf("missing team: %v", err)
	}
	status, got := h.raw(http.MethodGet, "/v3/teams?filter[name][contains]=latfor", "")
	if data := got["data"].([]any); status != http.StatusOK || len(data) != 1 {
		t.Errorf("team name filter: %d %v", status, got)
	}
	if status, got = h.raw(http.MethodPost, "/v3/teams", `{"name":"x","bogus":1}`); status != http.StatusBadRequest || !strings.Contains(emulatorJSON(got), `"field":"bogus"`) {
		t.Errorf("unknown field: %d %v", status, got)
	}
	if status, got = h.raw(http.MethodPost, "/v3/system-accounts/"+account+"/assigned-roles", `{"role_name":"Viewer","entity_type_name":"Control Planes","entity_id":"not-an-id","entity_region":"us"}`); status != http.StatusBadRequest || !strings.Contains(emulatorJSON(got), "entity_id") {
		t.Errorf("entity_id neither a UUID nor *: %d %v", status, got)
	}
	if status, got = h.raw(http.MethodGet, "/v3/teams?filter[labels][eq]=x", ""); status != http.StatusBadRequest {
		t.Errorf("undeclared filter: %d %v", status, got)
	}
	if status, got = h.raw(http.MethodPatch, "/v3/teams/"+h.organizationAdminTeam(), `{"name":"mine"}`); status != http.StatusBadRequest || !strings.Contains(emulatorJSON(got), "system teams cannot be modified") {
		t.Errorf("modifying a system team: %d %v", status, got)
	}
	if _, err := h.c.DeleteTeamWithResponse(ctx, teamID); err != nil {
		t.Fatal(err)
	}
	if teams, _ = h.c.GetSystemAccountsAccountIdTeamsWithResponse(ctx, account, &client.GetSystemAccountsAccountIdTeamsParams{}); len(teams.JSON200.Data) != 0 {
		t.Errorf("memberships of a deleted team: %+v", teams.JSON200.Data)
	}
}
