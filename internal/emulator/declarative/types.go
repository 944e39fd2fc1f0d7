// Package declarative loads Kong's declarative configuration (the format of kong.yml in DB-less
// mode and of decK's files, `_format_version: "3.0"`) into one control plane of the store: the
// whole configuration is replaced in one store transaction, every entity written through the
// domain layer, so a file with any error changes nothing. Errors come back as Kong reports them
// (code 14, "invalid declarative configuration", with flattened errors on request).
package declarative

import (
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

// entityType is one entity type of the format: the key it is listed under (at the top level
// and nested in its parents), the domain kind it is stored as, and the entity types that may
// be nested in it.
type entityType struct {
	key  string       // Kong's DAO name, the file's key: "services", "keyauth_credentials"
	kind *domain.Kind // how it is stored and checked
	// idKey is the field whose value Kong hashes into the entity's id when none is given (its
	// endpoint key); "" when Kong builds the id from the cache key (cacheKey) or at random.
	idKey string
	// idKeyPerParent marks an endpoint key unique only under the parent (a target under its
	// upstream): the parent's id (or name) joins the hashed value.
	idKeyPerParent string
	cacheKey       []string // fields of Kong's cache key, for ids of entities without idKey
	required       []string // cache key fields without which Kong gives up and picks a random id
	children       []child
}

// child is an entity type that may be nested in a parent, pointing at it through field.
type child struct {
	key   string
	field string
}

// singular is Kong's entity_type in flattened errors: "service", "keyauth_credential".
func (t *entityType) singular() string { return t.key[:len(t.key)-1] }

// The entity types, in the order they are written to the store: every entity after those it
// may point at.
var types = []*entityType{
	{key: "certificates", kind: domain.Certificates, children: []child{{"snis", "certificate"}}},
	{key: "snis", kind: domain.SNIs, idKey: "name"},
	{key: "ca_certificates", kind: domain.CACertificates},
	{key: "vaults", kind: domain.Vaults, idKey: "prefix"},
	{key: "key_sets", kind: domain.KeySets, idKey: "name", children: []child{{"keys", "set"}}},
	{key: "keys", kind: domain.Keys, idKey: "name"},
	{key: "partials", kind: domain.Partials, idKey: "name"},
	{key: "services", kind: domain.Services, idKey: "name", children: []child{{"routes", "service"}, {"plugins", "service"}}},
	{key: "routes", kind: domain.Routes, idKey: "name", children: []child{{"plugins", "route"}}},
	{key: "upstreams", kind: domain.Upstreams, idKey: "name", children: []child{{"targets", "upstream"}}},
	{key: "targets", kind: domain.Targets, idKey: "target", idKeyPerParent: "upstream"},
	{key: "consumers", kind: domain.Consumers, idKey: "username", children: []child{
		{"plugins", "consumer"}, {"keyauth_credentials", "consumer"}, {"basicauth_credentials", "consumer"},
		{"jwt_secrets", "consumer"}, {"hmacauth_credentials", "consumer"}, {"acls", "consumer"},
	}},
	{key: "keyauth_credentials", kind: domain.KeyAuth, idKey: "key"},
	{key: "basicauth_credentials", kind: domain.BasicAuth, idKey: "username"},
	{key: "jwt_secrets", kind: domain.JWT, idKey: "key"},
	{key: "hmacauth_credentials", kind: domain.HMACAuth, idKey: "username"},
	{key: "acls", kind: domain.ACLs, cacheKey: []string{"consumer", "group"}, required: []string{"consumer", "group"}},
	{key: "consumer_groups", kind: domain.ConsumerGroups, idKey: "name", children: []child{{"plugins", "consumer_group"}}},
	// Kong Enterprise's cache key of plugins has the consumer group beside the other scopes.
	{key: "plugins", kind: domain.Plugins, cacheKey: []string{"name", "route", "service", "consumer", "consumer_group"},
		required: []string{"name"}},
}

// membershipKey is where the output lists consumer group memberships, as Kong Enterprise's
// entity of that name; the file gives them as a consumer's groups or a group's consumers.
const membershipKey = "consumer_group_consumers"

var typeByKey = func() map[string]*entityType {
	m := make(map[string]*entityType, len(types))
	for _, t := range types {
		m[t.key] = t
	}
	return m
}()

var typeByKind = func() map[string]*entityType {
	m := make(map[string]*entityType, len(types))
	for _, t := range types {
		m[t.kind.Name] = t
	}
	return m
}()

// childField is the field through which entities of type key nested in parent point at it.
func (t *entityType) childField(key string) (string, bool) {
	for _, c := range t.children {
		if c.key == key {
			return c.field, true
		}
	}
	return "", false
}
