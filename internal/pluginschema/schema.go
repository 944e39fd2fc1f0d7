// Package pluginschema is the single definition of each Kong plugin's configuration: its fields,
// their types, defaults, allowed values, constraints and descriptions, plus the rules that span
// several fields.
//
// The same definitions drive the emulator (validating a plugin's config and filling in its
// defaults, see [Plugin.Normalize]), the data plane (which reads the normalized config) and the
// Terraform provider's resource schemas (which use [Field.Description] as MarkdownDescription).
//
// Field names, types, defaults and allowed values follow Kong Gateway 3.15. Validation messages
// are Kong's own texts (kong/db/schema/init.lua and the plugins' schema.lua), so that an API
// client sees the errors a real control plane would give.
package pluginschema

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Type is the type of a field's value, named as in Kong's schema language.
type Type string

// The field types. Scalars come out of [Plugin.Normalize] as string, int64 (TypeInteger),
// float64 (TypeNumber) and bool; arrays and sets as []any; maps and records as map[string]any.
const (
	TypeString  Type = "string"
	TypeInteger Type = "integer"
	TypeNumber  Type = "number"
	TypeBoolean Type = "boolean"
	TypeArray   Type = "array"  // ordered list, duplicates kept
	TypeSet     Type = "set"    // list whose duplicates are dropped, first occurrence kept
	TypeMap     Type = "map"    // string keys, values described by Values
	TypeRecord  Type = "record" // fixed set of named fields, described by Fields
	// TypeJSON is any JSON value, stored as given: Kong's free-form fields (such as an AI
	// model's metadata), and configs that are programs rather than records (Datakit's nodes),
	// checked only by the field's Validator and the plugin's Compile.
	TypeJSON Type = "json"
)

// Field describes one configuration field, or the elements or values of a collection.
type Field struct {
	// Name is the JSON key. It is empty for the Elements of an array or set and the Values of a map.
	Name string
	Type Type
	// Description is written in Markdown, in our own words; the provider uses it as the
	// attribute's MarkdownDescription.
	Description string

	// Default is the value stored when the field is absent or null, in its normalized form
	// (string, int64, float64, bool, []any, map[string]any), or nil for none.
	Default any
	// Required means the stored value is never null (Kong's `required = true`). A required
	// field with a Default, or a required record, need not be sent: it is filled in. A
	// required record that is absent is stored with every one of its fields at its default,
	// which is how Kong treats records inside plugin configs; a record that is not required
	// is stored as null when absent.
	Required bool

	// Enum lists the only values a string may take, in Kong's order (the order shows in the
	// "expected one of" message).
	Enum []string
	// Between bounds a number or integer, both ends included.
	Between *[2]float64
	// GreaterThan is an exclusive lower bound of a number or integer.
	GreaterThan *float64
	// LenMin is the minimum length of a string or the minimum number of elements of an
	// array or set. Zero means Kong's default: 1 for strings (Kong refuses empty strings
	// unless told otherwise), no minimum for collections.
	LenMin int
	// LenMax is the maximum length of a string or the maximum number of elements of an
	// array or set; zero means none.
	LenMax int
	// AllowEmpty accepts the empty string (Kong's `len_min = 0`).
	AllowEmpty bool
	// StartsWith is a prefix every string value must have.
	StartsWith string
	// Match is a regular expression (Go syntax) every string value must match.
	Match string
	// UUID requires a string to be a UUID.
	UUID bool
	// Validator is a further check of a value that already passed the checks above; it
	// returns Kong's message for a bad value and "" for a good one. For a record it receives
	// the complete record and runs only when all of the record's fields are valid.
	Validator func(value any) string `json:"-"`

	// Sensitive marks a secret that the provider must hide from plans and logs.
	Sensitive bool
	// Encrypted marks a field Kong encrypts at rest with its keyring.
	Encrypted bool
	// Referenceable means the value may be a vault reference such as `{vault://env/NAME}`,
	// which is stored as it is and resolved by the data plane; the field's other checks
	// (type included) are skipped for a reference.
	Referenceable bool

	Elements *Field   // the elements of an array or set
	Fields   []*Field // the fields of a record, in order
	Values   *Field   // the values of a map
}

// Field returns the record field with the given name, or nil.
func (f *Field) Field(name string) *Field {
	return fieldNamed(f.Fields, name)
}

func fieldNamed(fields []*Field, name string) *Field {
	for _, c := range fields {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Scope says which entities a plugin instance is attached to.
type Scope struct {
	Consumer, ConsumerGroup, Route, Service bool
}

// Plugin is the schema of one plugin.
type Plugin struct {
	Name string
	// Priority is Kong's static execution priority: higher runs first.
	Priority int
	// Protocols are the values the plugin's `protocols` may hold, in Kong's order;
	// DefaultProtocols is what it holds when not given.
	Protocols        []string
	DefaultProtocols []string
	// NoConsumer and the others are the scopes the plugin cannot be attached to (for
	// example an authentication plugin cannot be scoped to the consumer it identifies).
	NoConsumer, NoConsumerGroup, NoRoute, NoService bool
	// Config are the fields of the plugin's `config`, in order.
	Config []*Field
	// Checks are rules that involve several fields, run after each field was checked.
	Checks []EntityCheck
	// Partials are the partial types (such as `redis-ce`) whose settings may replace some of
	// the config's records, and the config paths they replace.
	Partials []PartialSupport
	// GuardsAccess marks a plugin that decides whether a request may pass (authentication or
	// authorization): a data plane that cannot run it refuses the requests it applies to
	// instead of letting them through.
	GuardsAccess bool
	// Generated marks a definition generated from Kong's JSON schemas
	// (internal/cmd/gen-pluginschema), as opposed to the hand-written ones; Register adds
	// the cross-field rules written by hand for it (crossfield_rules.go).
	Generated bool
	// Compile, when set, is the last check of a config whose fields and rules all passed,
	// for a plugin whose config is a program (Datakit's node graph, of TypeJSON fields): it
	// returns the config to store (with the defaults only it knows), or errors whose paths
	// are dotted from the plugin entity ("config.nodes.2.jq", positions from 1).
	Compile func(config map[string]any) (map[string]any, []FieldError) `json:"-"`
}

// PartialSupport says that a partial of type Type may stand for the config records at Paths
// (dotted from the plugin entity, such as "config.redis").
type PartialSupport struct {
	Type  string
	Paths []string
}

// ConfigField returns the config field at a dotted path relative to config (for example
// "redis.port"), or nil.
func (p *Plugin) ConfigField(path string) *Field {
	fields := p.Config
	var f *Field
	for name := range strings.SplitSeq(path, ".") {
		if f = fieldNamed(fields, name); f == nil {
			return nil
		}
		fields = f.Fields
	}
	return f
}

// EntityCheck is a rule on several fields of the plugin entity. Exactly one of its members
// is set.
type EntityCheck struct {
	// AtLeastOneOf (Kong's at_least_one_of) needs at least one of these fields to be
	// non-empty. Paths are dotted from the plugin entity, such as "config.second".
	AtLeastOneOf []string
	// OnlyOneOf (Kong's only_one_of) needs exactly one of these fields to be non-empty. Like
	// Kong's, it fails when none is, too; Kong's schemas pair it with AtLeastOneOf, which
	// then reports the same config a second time.
	OnlyOneOf []string
	// Conditional (Kong's conditional) requires a field when another one has a given value.
	Conditional *Conditional
	// Custom is a rule on the whole config (Kong's custom_validator on the config record).
	// It receives the normalized config and returns "" or Kong's message. Like Kong, it runs
	// only when every config field is valid, and its message is reported on "config".
	Custom func(config map[string]any) string `json:"-"`
	// EntityCustom is a rule on the whole config that Kong writes as a custom_entity_check:
	// like Custom, it runs once every config field is valid and may complete the config (as
	// Kong's checks do, such as a default that depends on another field), but its message is
	// an entity error ("@entity").
	EntityCustom func(config map[string]any) string `json:"-"`
}

// Conditional makes ThenField required (non-null) whenever IfField equals IfEquals. When it
// fails, Kong reports both an entity error naming IfField and "required field missing" on
// ThenField. Paths are dotted from the plugin entity.
//
// IfGreaterThan and ThenContains change the two halves: the rule applies when IfField is a
// number above IfGreaterThan (Kong's if_match = { gt = N }), and ThenField, a list, must
// then hold ThenContains (Kong's then_match = { contains = V }) instead of merely being set.
// As in Kong, an IfField that failed its own checks never triggers the rule, and a null
// ThenField satisfies a ThenContains rule.
type Conditional struct {
	IfField       string
	IfEquals      any
	IfGreaterThan *float64
	ThenField     string
	ThenContains  any
}

// EntityField is the FieldError.Field of an error that concerns the entity as a whole (an
// at-least-one-of or conditional rule). It is the key Kong uses for such errors.
const EntityField = "@entity"

// FieldError is one validation failure.
type FieldError struct {
	// Field is the dotted path from the plugin entity, such as "config.redis.port" or
	// "config.key_names.2" (array positions count from 1, as in Kong's messages), or
	// EntityField for a rule on several fields. A rule on the whole config (EntityCheck.Custom)
	// is reported on "config".
	Field   string
	Message string
}

// IsEntity tells whether the error concerns the entity as a whole rather than one field.
func (e FieldError) IsEntity() bool { return e.Field == EntityField }

// String is the error as Kong writes it in a message: "field: message", or the bare message
// for an entity error.
func (e FieldError) String() string {
	if e.IsEntity() {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Summary writes errors as Kong's Admin API message does: "schema violation (a: b)" for one,
// "2 schema violations (a: b; c: d)" for more. It expects errors in the order Normalize
// returns them. Unlike Kong, which prints nested error tables below the second level as Lua
// tables, every error is written with its full path.
func Summary(errs []FieldError) string {
	if len(errs) == 0 {
		return ""
	}
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = e.String()
	}
	if len(errs) == 1 {
		return "schema violation (" + parts[0] + ")"
	}
	return fmt.Sprintf("%d schema violations (%s)", len(errs), strings.Join(parts, "; "))
}

var registry = struct {
	sync.RWMutex
	plugins map[string]*Plugin
}{plugins: map[string]*Plugin{}}

// Register adds a plugin's schema to the registry; each plugin's file calls it from init. It
// panics when the definition is inconsistent (see [Plugin.Check]) or the name is taken,
// because either is a programming error that must not reach a user.
func Register(p *Plugin) {
	if p.Generated {
		// Kong's JSON schemas cannot express its cross-field rules; the hand-written ones sit
		// beside the generated definitions (crossfield_rules.go).
		p.Checks = append(p.Checks, crossFieldRules[p.Name]...)
	}
	if err := p.Check(); err != nil {
		panic(err)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.plugins[p.Name]; dup {
		panic(fmt.Sprintf("pluginschema: plugin %q registered twice", p.Name))
	}
	registry.plugins[p.Name] = p
}

// Lookup returns the schema of the named plugin.
func Lookup(name string) (*Plugin, bool) {
	registry.RLock()
	defer registry.RUnlock()
	p, ok := registry.plugins[name]
	return p, ok
}

// Names returns the names of all registered plugins, sorted.
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.plugins))
	for name := range registry.plugins {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Check reports the first inconsistency in a plugin's definition: a field without a name,
// type or description, a collection without its element description, an attribute that does
// not apply to the field's type, a default that its own field would refuse, or a rule naming a
// field that does not exist.
func (p *Plugin) Check() error {
	if p.Name == "" {
		return fmt.Errorf("pluginschema: plugin without a name")
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("pluginschema: %s: "+format, append([]any{p.Name}, args...)...)
	}
	for _, d := range p.DefaultProtocols {
		if !slices.Contains(p.Protocols, d) {
			return fail("default protocol %q is not allowed", d)
		}
	}
	if err := checkFields(p.Config, "config"); err != nil {
		return fail("%v", err)
	}
	for i, c := range p.Checks {
		set := 0
		var paths []string
		if c.AtLeastOneOf != nil {
			set++
			paths = append(paths, c.AtLeastOneOf...)
		}
		if c.OnlyOneOf != nil {
			set++
			paths = append(paths, c.OnlyOneOf...)
		}
		if c.Conditional != nil {
			set++
			paths = append(paths, c.Conditional.IfField, c.Conditional.ThenField)
			if c.Conditional.IfEquals != nil && c.Conditional.IfGreaterThan != nil {
				return fail("check %d sets both IfEquals and IfGreaterThan", i)
			}
		}
		if c.Custom != nil {
			set++
		}
		if c.EntityCustom != nil {
			set++
		}
		if set != 1 {
			return fail("check %d must set exactly one rule", i)
		}
		for _, path := range paths {
			rel, ok := strings.CutPrefix(path, "config.")
			if !ok || p.ConfigField(rel) == nil {
				return fail("check %d names unknown field %q", i, path)
			}
		}
	}
	return nil
}

func checkFields(fields []*Field, path string) error {
	seen := map[string]bool{}
	for _, f := range fields {
		if f.Name == "" {
			return fmt.Errorf("%s: field without a name", path)
		}
		if seen[f.Name] {
			return fmt.Errorf("%s.%s: declared twice", path, f.Name)
		}
		seen[f.Name] = true
		if err := checkField(f, path+"."+f.Name); err != nil {
			return err
		}
	}
	return nil
}

func checkField(f *Field, path string) error {
	if f.Description == "" {
		return fmt.Errorf("%s: no description", path)
	}
	isString := f.Type == TypeString
	isNumeric := f.Type == TypeInteger || f.Type == TypeNumber
	isList := f.Type == TypeArray || f.Type == TypeSet
	switch {
	case !isString && (f.Enum != nil || f.AllowEmpty || f.StartsWith != "" || f.Match != "" || f.UUID):
		return fmt.Errorf("%s: string constraint on a %s", path, f.Type)
	case !isNumeric && (f.Between != nil || f.GreaterThan != nil):
		return fmt.Errorf("%s: numeric constraint on a %s", path, f.Type)
	case (f.LenMin != 0 || f.LenMax != 0) && !isString && !isList:
		return fmt.Errorf("%s: length constraint on a %s", path, f.Type)
	case isList != (f.Elements != nil):
		return fmt.Errorf("%s: Elements must be set for arrays and sets only", path)
	case (f.Type == TypeRecord) != (f.Fields != nil):
		return fmt.Errorf("%s: Fields must be set for records only", path)
	case (f.Type == TypeMap) != (f.Values != nil):
		return fmt.Errorf("%s: Values must be set for maps only", path)
	}
	switch f.Type {
	case TypeString, TypeInteger, TypeNumber, TypeBoolean, TypeArray, TypeSet, TypeMap, TypeRecord, TypeJSON:
	default:
		return fmt.Errorf("%s: unknown type %q", path, f.Type)
	}
	if f.Match != "" {
		if _, err := compile(f.Match); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	switch {
	case isList:
		if err := checkField(f.Elements, path+".elements"); err != nil {
			return err
		}
	case f.Type == TypeMap:
		if err := checkField(f.Values, path+".values"); err != nil {
			return err
		}
	case f.Type == TypeRecord:
		if err := checkFields(f.Fields, path); err != nil {
			return err
		}
	}
	if f.Default != nil {
		n := &normalizer{}
		out := n.value(f, f.Default, path)
		if len(n.errs) > 0 {
			return fmt.Errorf("%s: invalid default: %s", path, n.errs[0].Message)
		}
		// The default must already be in normalized form: a schema reader (the provider)
		// takes it as it is.
		if !reflect.DeepEqual(out, f.Default) {
			return fmt.Errorf("%s: default %#v is not in normalized form (%#v)", path, f.Default, out)
		}
	}
	return nil
}

var regexps sync.Map // pattern -> *regexp.Regexp

func compile(pattern string) (*regexp.Regexp, error) {
	if re, ok := regexps.Load(pattern); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	regexps.Store(pattern, re)
	return re, nil
}
