// Package domain holds the rules of the gateway's entities, whatever API writes them: their
// kinds, references, unique fields and cascades, the checks and values Kong applies on write,
// and typed errors. It knows the store, not HTTP: each API renders the errors in its shape.
package domain

import (
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// Entity is an entity as decoded from JSON (numbers kept as json.Number).
type Entity = map[string]any

// Kind describes one kind of core entity.
type Kind struct {
	Name    string // store kind, as in the collection path: "consumers", "key-auth"
	Display string // singular name used in messages: "consumer", "route"
	Schema  string // the spec schema whose defaults apply: "Consumer"
	// EndpointKey lets an entity be addressed by this field instead of its id (consumers by
	// username, services by name...), as Kong does.
	EndpointKey string
	Unique      []UniqueKey
	Refs        []Ref
	UpdatedAt   bool // whether the entity has updated_at
	// prepare applies the kind's own rules to an entity about to be written: defaults the
	// spec cannot express, generated values, checks. It may read the store.
	prepare func(c *WriteContext, e Entity) error
}

// UniqueKey is one (possibly compound) unique constraint; Report names the field in errors.
type UniqueKey struct {
	Fields []string
	Report string
}

// Ref is a foreign key: Field {"id": ...} pointing at an entity of Kind, or with List set,
// Field [id, ...] pointing at several.
type Ref struct {
	Field string
	Kind  string
	List  bool
	// Objects, with List, means Field is [{"id": ...}, ...]: a list of references that may
	// carry more than the id (a plugin's partials: id, name, path).
	Objects bool
	// Cascade deletes this entity with its target; otherwise deleting the target is refused
	// while this entity points at it.
	Cascade bool
}

// WriteContext is what a kind's rules may look at.
type WriteContext struct {
	Tx       store.Reader
	CP       string
	Existing Entity // the entity being replaced, nil on create
	Now      int64
	// keepStoredHashes: see Entities.KeepStoredHashes.
	keepStoredHashes bool
}

// ControlPlanes is the store kind of control planes, which live outside any control plane
// (cp ""), unique by name.
const ControlPlanes = "control-planes"

// The kinds of core entity, with Kong's uniqueness, references and cascades. Kinds only
// referenced from here (consumer group members) have no path of their own.
var (
	Services = &Kind{Name: "services", Display: "service", Schema: "Service", EndpointKey: "name",
		Unique: []UniqueKey{{Fields: []string{"name"}, Report: "name"}},
		Refs: []Ref{{Field: "client_certificate", Kind: "certificates"}, // restrict, as every ref without cascade
			{Field: "ca_certificates", Kind: "ca_certificates", List: true}},
		UpdatedAt: true, prepare: prepareService}
	Routes = &Kind{Name: "routes", Display: "route", Schema: "Route", EndpointKey: "name",
		Unique:    []UniqueKey{{Fields: []string{"name"}, Report: "name"}},
		Refs:      []Ref{{Field: "service", Kind: "services"}}, // restrict: a service with routes cannot go
		UpdatedAt: true, prepare: prepareRoute}
	Consumers = &Kind{Name: "consumers", Display: "consumer", Schema: "Consumer", EndpointKey: "username",
		Unique:    []UniqueKey{{Fields: []string{"username"}, Report: "username"}, {Fields: []string{"custom_id"}, Report: "custom_id"}},
		UpdatedAt: true, prepare: prepareConsumer}
	ConsumerGroups = &Kind{Name: "consumer_groups", Display: "consumer_group", Schema: "ConsumerGroup", EndpointKey: "name",
		Unique: []UniqueKey{{Fields: []string{"name"}, Report: "name"}}, UpdatedAt: true}
	ConsumerGroupMembers = &Kind{Name: "consumer_group_consumers", Display: "consumer_group_consumer",
		Unique: []UniqueKey{{Fields: []string{"consumer_group", "consumer"}, Report: "consumer"}},
		Refs:   []Ref{{Field: "consumer_group", Kind: "consumer_groups", Cascade: true}, {Field: "consumer", Kind: "consumers", Cascade: true}}}
	Plugins = &Kind{Name: "plugins", Display: "plugin", Schema: "Plugin",
		Unique: []UniqueKey{
			{Fields: []string{"name", "service", "route", "consumer", "consumer_group"}, Report: "name"},
			{Fields: []string{"instance_name"}, Report: "instance_name"},
		},
		Refs: []Ref{{Field: "service", Kind: "services", Cascade: true}, {Field: "route", Kind: "routes", Cascade: true},
			{Field: "consumer", Kind: "consumers", Cascade: true}, {Field: "consumer_group", Kind: "consumer_groups", Cascade: true},
			{Field: "partials", Kind: "partials", List: true, Objects: true}}, // restrict: a partial in use cannot go
		UpdatedAt: true, prepare: preparePlugin}
	Partials = &Kind{Name: "partials", Display: "partial", Schema: "Partial", EndpointKey: "name",
		Unique: []UniqueKey{{Fields: []string{"name"}, Report: "name"}}, UpdatedAt: true, prepare: preparePartial}
	KeyAuth = &Kind{Name: "key-auth", Display: "keyauth_credential", Schema: "KeyAuth",
		Unique: []UniqueKey{{Fields: []string{"key"}, Report: "key"}},
		Refs:   []Ref{{Field: "consumer", Kind: "consumers", Cascade: true}}, prepare: prepareKeyAuth}
	BasicAuth = &Kind{Name: "basic-auth", Display: "basicauth_credential", Schema: "BasicAuth",
		Unique: []UniqueKey{{Fields: []string{"username"}, Report: "username"}},
		Refs:   []Ref{{Field: "consumer", Kind: "consumers", Cascade: true}}, prepare: prepareBasicAuth}
	JWT = &Kind{Name: "jwt", Display: "jwt_secret", Schema: "JWT",
		Unique: []UniqueKey{{Fields: []string{"key"}, Report: "key"}},
		Refs:   []Ref{{Field: "consumer", Kind: "consumers", Cascade: true}}, prepare: prepareJWT}
	HMACAuth = &Kind{Name: "hmac-auth", Display: "hmacauth_credential", Schema: "HMACAuth",
		Unique: []UniqueKey{{Fields: []string{"username"}, Report: "username"}},
		Refs:   []Ref{{Field: "consumer", Kind: "consumers", Cascade: true}}, prepare: prepareHMACAuth}
	ACLs = &Kind{Name: "acls", Display: "acl", Schema: "ACL",
		Unique: []UniqueKey{{Fields: []string{"consumer", "group"}, Report: "group"}},
		Refs:   []Ref{{Field: "consumer", Kind: "consumers", Cascade: true}}}
	Upstreams = &Kind{Name: "upstreams", Display: "upstream", Schema: "Upstream", EndpointKey: "name",
		Unique: []UniqueKey{{Fields: []string{"name"}, Report: "name"}},
		Refs:   []Ref{{Field: "client_certificate", Kind: "certificates"}}, UpdatedAt: true}
	Targets = &Kind{Name: "targets", Display: "target", Schema: "Target",
		Unique:    []UniqueKey{{Fields: []string{"upstream", "target"}, Report: "target"}},
		Refs:      []Ref{{Field: "upstream", Kind: "upstreams", Cascade: true}},
		UpdatedAt: true, prepare: prepareTarget}
	Certificates = &Kind{Name: "certificates", Display: "certificate", Schema: "Certificate",
		UpdatedAt: true, prepare: prepareCertificate}
	SNIs = &Kind{Name: "snis", Display: "sni", Schema: "SNI", EndpointKey: "name",
		Unique:    []UniqueKey{{Fields: []string{"name"}, Report: "name"}},
		Refs:      []Ref{{Field: "certificate", Kind: "certificates", Cascade: true}},
		UpdatedAt: true}
	CACertificates = &Kind{Name: "ca_certificates", Display: "ca_certificate", Schema: "CACertificate",
		Unique: []UniqueKey{{Fields: []string{"cert_digest"}, Report: "cert_digest"}}, UpdatedAt: true, prepare: prepareCACertificate}
	Vaults = &Kind{Name: "vaults", Display: "vault", Schema: "Vault", EndpointKey: "prefix",
		Unique: []UniqueKey{{Fields: []string{"prefix"}, Report: "prefix"}}, UpdatedAt: true}
	KeySets = &Kind{Name: "key-sets", Display: "key_set", Schema: "KeySet", EndpointKey: "name",
		Unique: []UniqueKey{{Fields: []string{"name"}, Report: "name"}}, UpdatedAt: true}
	Keys = &Kind{Name: "keys", Display: "key", Schema: "Key", EndpointKey: "name",
		Unique: []UniqueKey{{Fields: []string{"name"}, Report: "name"}, {Fields: []string{"kid", "set"}, Report: "kid"}},
		Refs:   []Ref{{Field: "set", Kind: "key-sets", Cascade: true}}, UpdatedAt: true, prepare: prepareKey}
)

// All lists every kind of core entity.
var All = []*Kind{Services, Routes, Consumers, ConsumerGroups, ConsumerGroupMembers,
	Plugins, KeyAuth, BasicAuth, JWT, HMACAuth, ACLs, Upstreams, Targets,
	Certificates, SNIs, CACertificates, Vaults, KeySets, Keys, Partials}

var byName = func() map[string]*Kind {
	m := make(map[string]*Kind, len(All))
	for _, k := range All {
		m[k.Name] = k
	}
	return m
}()

// ByName finds a kind by its store name.
func ByName(name string) (*Kind, bool) {
	k, ok := byName[name]
	return k, ok
}

// RefTo is the kind's reference to entities of kind target, if it has one.
func (k *Kind) RefTo(target string) (Ref, bool) {
	for _, r := range k.Refs {
		if r.Kind == target {
			return r, true
		}
	}
	return Ref{}, false
}

// cascadesFrom tells whether deleting an entity of kind target deletes this kind's entities
// that point at it.
func (k *Kind) cascadesFrom(target string) bool {
	r, ok := k.RefTo(target)
	return ok && r.Cascade
}
