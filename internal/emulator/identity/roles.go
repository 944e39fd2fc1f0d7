package identity

import (
	"net/http"
	"slices"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// Role and entity type names the emulator enforces.
const (
	RoleAdmin   = "Admin"
	RoleCreator = "Creator"
	RoleViewer  = "Viewer"

	EntityControlPlanes     = "Control Planes"
	EntityMeshControlPlanes = "Mesh Control Planes"
	EntityIdentity          = "Identity"
)

// roleGroup is one entity type's predefined roles, as GET /v3/roles lists them.
type roleGroup struct {
	key  string // the key of the group in GET /v3/roles
	name string // the group's name there
	// assignedAs is the entity_type_name assignments use (the mesh group is named in the
	// singular in the roles list but in the plural in assignments).
	assignedAs string
	roles      []predefinedRole
}

type predefinedRole struct {
	key, name, description string
}

// predefinedRoles are Konnect's predefined roles (GET /v3/roles), with their descriptions.
var predefinedRoles = []roleGroup{
	{key: "control_planes", name: EntityControlPlanes, assignedAs: EntityControlPlanes, roles: []predefinedRole{
		{"admin", RoleAdmin, "This role grants full write access to all entities within a control plane."},
		{"certificate_admin", "Certificate Admin", "This role grants full write access to administer certificates."},
		{"consumer_admin", "Consumer Admin", "This role grants full write access to administer consumers."},
		{"creator", RoleCreator, "Creates a new Control Plane in an organization. The creator becomes the owner of the Control Plane they create."},
		{"debug_session_creator", "Debug Session Creator", "This role grants access to create debug sessions. This role also grants read-only access to all entities within a control plane."},
		{"deployer", "Deployer", "This role grants full write access to administer services, routes and plugins necessary to deploy services in Service Hub."},
		{"gateway_service_admin", "Gateway Service Admin", "This role grants full write access to administer gateway services."},
		{"plugin_admin", "Plugin Admin", "This role grants full write access to administer plugins."},
		{"route_admin", "Route Admin", "This role grants full write access to administer routes."},
		{"sni_admin", "SNI Admin", "This role grants full write access to administer SNIs."},
		{"upstream_admin", "Upstream Admin", "This role grants full write access to administer upstreams."},
		{"viewer", RoleViewer, "This role grants read only access to all entities within a control plane."},
	}},
	{key: "api_products", name: "API Products", assignedAs: "API Products", roles: []predefinedRole{
		{"admin", RoleAdmin, "This role grants full write access to an API product and its versions."},
		{"application_registration", "Application Registration", "This role grants permission to enable and disable application registration on an API product."},
		{"creator", RoleCreator, "This access is required to create API products. This access is not for creating sub-entities such as versions, API specs, etc."},
		{"deployer", "Deployer", "This role grants permission to deploy and remove an API product from a control plane."},
		{"maintainer", "Maintainer", "This role grants all write permission to manage an API product and to administer plugins."},
		{"plugins_admin", "Plugins Admin", "This role grants full write permission to administer plugins."},
		{"publisher", "Publisher", "This role grants permission to publish an API product to one or more portals."},
		{"viewer", RoleViewer, "Viewer has read-only access to an API product and its sub-entities."},
	}},
	{key: "audit_logs", name: "Audit Logs", assignedAs: "Audit Logs", roles: []predefinedRole{
		{"admin", RoleAdmin, "This role grants full write access to the Audit log configuration."},
	}},
	{key: "identity", name: EntityIdentity, assignedAs: EntityIdentity, roles: []predefinedRole{
		{"admin", RoleAdmin, "This role grants full write access to the Identity configuration."},
	}},
	{key: "mesh_control_planes", name: "Mesh Control Plane", assignedAs: EntityMeshControlPlanes, roles: []predefinedRole{
		{"admin", RoleAdmin, "This role grants full write access to the related to Mesh control planes."},
		{"connector", "Connector", "This role grants a mesh zone to connect to the mesh control plane in Konnect."},
		{"creator", RoleCreator, "This role grants access to create new Mesh control planes."},
		{"viewer", RoleViewer, "This role grants access to read-only permissions to Mesh control planes."},
	}},
	{key: "dashboards", name: "Dashboards", assignedAs: "Dashboards", roles: []predefinedRole{
		{"admin", RoleAdmin, "Allows users to edit, delete, and share a Dashboard in Konnect Analytics."},
		{"creator", RoleCreator, "Allows users to create a new Dashboard in Konnect Analytics."},
		{"editor", "Editor", "Allows users to edit a Dashboard in Konnect Analytics."},
		{"viewer", RoleViewer, "Allows users to view any Dashboards content in Konnect Analytics."},
	}},
	{key: "reports", name: "Reports", assignedAs: "Reports", roles: []predefinedRole{
		{"admin", RoleAdmin, "Allows users to edit, delete, and share a Report in Konnect Analytics."},
		{"creator", RoleCreator, "Allows users to create a new Report in Konnect Analytics."},
		{"editor", "Editor", "Allows users to edit a Report in Konnect Analytics."},
		{"viewer", RoleViewer, "Allows users to view a Report in Konnect Analytics."},
	}},
}

// groupOf finds the predefined roles of an entity type as assignments name it.
func groupOf(entityType string) (roleGroup, bool) {
	i := slices.IndexFunc(predefinedRoles, func(g roleGroup) bool { return g.assignedAs == entityType })
	if i < 0 {
		return roleGroup{}, false
	}
	return predefinedRoles[i], true
}

// readingRoles are the roles of an entity type that let their holder see an entity: all but
// Creator, which only creates.
func readingRoles(entityType string) []string {
	g, _ := groupOf(entityType)
	out := make([]string, 0, len(g.roles))
	for _, r := range g.roles {
		if r.name != RoleCreator {
			out = append(out, r.name)
		}
	}
	return out
}

func (s *API) GetPredefinedRoles(w http.ResponseWriter, _ *http.Request) {
	out := client.PredefinedRoles{}
	for _, g := range predefinedRoles {
		roles := map[string]client.PredefinedRole{}
		for _, r := range g.roles {
			roles[r.key] = client.PredefinedRole{Name: r.name, Description: r.description}
		}
		out[g.key] = client.PredefinedRoleGroup{Name: g.name, Roles: roles}
	}
	writeJSON(w, http.StatusOK, out)
}
