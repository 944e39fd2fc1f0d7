package emulator

import (
	"net/http"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/identity"
	meshapi "github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh/api"
)

// The generic handler's table comes from the spec's paths: each operation's kind, parent and
// path parameters.
func TestEntityOperationTableFromTheSpec(t *testing.T) {
	t.Parallel()
	spec, err := client.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]entityOperation{}
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			if eo, ok := entityOperationOf(method, path, op); ok {
				rows[op.OperationID] = eo
			}
		}
	}
	for id, want := range map[string]entityOperation{
		"ListKeyAuth":               {action: actionList, kind: domain.KeyAuth},
		"CreateKeyAuthWithConsumer": {action: actionCreate, kind: domain.KeyAuth, parent: domain.Consumers, parentField: "consumer", parentParam: "ConsumerIdForNestedEntities"},
		"UpsertPluginWithRoute":     {action: actionUpsert, kind: domain.Plugins, parent: domain.Routes, parentField: "route", parentParam: "RouteId", idParam: "PluginId"},
		"DeleteTargetWithUpstream":  {action: actionDelete, kind: domain.Targets, parent: domain.Upstreams, parentField: "upstream", parentParam: "UpstreamIdForTarget", idParam: "TargetId"},
		"GetService":                {action: actionGet, kind: domain.Services, idParam: "ServiceId"},
	} {
		got, ok := rows[id]
		want.id = id
		if !ok || got != want {
			t.Errorf("%s: got %+v (found %v), want %+v", id, got, ok, want)
		}
	}
	// Membership is not an entity operation: it is written by hand.
	for _, id := range []string{"AddConsumerToGroup", "ListConsumerGroupsForConsumer", "ListControlPlanes"} {
		if eo, ok := rows[id]; ok {
			t.Errorf("%s read as an entity operation: %+v", id, eo)
		}
	}
}

// Every operation of the spec has a handler, or the server does not start.
func TestEveryOperationIsServed(t *testing.T) {
	t.Parallel()
	spec, err := client.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	// The mesh API's operations are served by its own generated router (mesh/api), as in
	// newServer.
	dropPaths(spec, meshapi.PathPrefix)
	s := &Server{}
	if err := s.registerEntityOperations(http.NewServeMux(), spec); err == nil {
		t.Fatal("without the hand-written handlers, membership operations must be reported unserved")
	}
	mux := http.NewServeMux()
	HandlerWithOptions(s, StdHTTPServerOptions{BaseRouter: mux})
	identity.NewAPI(nil, nil, nil).Register(mux, nil)
	if err := s.registerEntityOperations(mux, spec); err != nil {
		t.Fatal(err)
	}
}
