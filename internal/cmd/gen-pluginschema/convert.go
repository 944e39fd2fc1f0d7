package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// node is the part of a JSON Schema (as Kong publishes its plugins' schemas) the generator
// reads. Descriptions are deliberately not read: the definitions describe fields from facts.
type node struct {
	Type                 string           `json:"type"`
	Properties           map[string]*node `json:"properties"`
	Required             []string         `json:"required"`
	Items                *node            `json:"items"`
	AdditionalProperties json.RawMessage  `json:"additionalProperties"`
	Default              any              `json:"default"`
	Enum                 []any            `json:"enum"`
	Minimum              *float64         `json:"minimum"`
	Maximum              *float64         `json:"maximum"`
	MinLength            *int             `json:"minLength"`
	MaxLength            *int             `json:"maxLength"`
	OneOf                []*node          `json:"oneOf"`
	Referenceable        bool             `json:"x-referenceable"`
	Encrypted            bool             `json:"x-encrypted"`
	Foreign              bool             `json:"x-foreign"`
	TypeOverride         string           `json:"x-speakeasy-type-override"`
	SupportedPartials    []struct {
		Name  string   `json:"name"`
		Paths []string `json:"paths"`
	} `json:"x-supported-partials"`
}

// additional returns the schema of a map's values, and whether the object takes any
// properties at all (additionalProperties: true).
func (n *node) additional() (values *node, anything bool, err error) {
	raw := bytes.TrimSpace(n.AdditionalProperties)
	switch {
	case len(raw) == 0, string(raw) == "false":
		return nil, false, nil
	case string(raw) == "true":
		return nil, true, nil
	}
	values = &node{}
	if err := decode(raw, values); err != nil {
		return nil, false, fmt.Errorf("additionalProperties: %w", err)
	}
	return values, false, nil
}

func decode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// The facts the JSON schemas do not carry, kept here as tables.
var (
	// priorities are Kong's static plugin priorities (Kong's handlers, 3.11 and later) for
	// the generated plugins the reference lists; the others get 0. The data plane orders
	// only the plugins it runs, so a 0 has no effect until a plugin is implemented (its
	// priority must be added here then).
	priorities = map[string]int{
		"pre-function": 1000000, "mtls-auth": 1600, "openid-connect": 1050, "opa": 920, "datakit": 810,
		"request-transformer-advanced": 802, "proxy-cache": 100, "post-function": -1000,
	}
	// guardsAccess are the plugins that authenticate or authorize requests.
	guardsAccess = []string{
		"ace", "ai-mcp-oauth2", "header-cert-auth", "jwt-signer", "ldap-auth", "ldap-auth-advanced",
		"mtls-auth", "oauth2-introspection", "opa", "openid-connect", "saml", "standard-webhooks", "vault-auth",
	}
	// excluded are plugins Kong publishes a schema for but Konnect does not offer (Kong's
	// official provider has no resource for them).
	excluded = map[string]string{
		"oauth2":                   "Konnect does not support oauth2",
		"key-auth-enc":             "not offered by Konnect",
		"konnect-application-auth": "managed by Konnect's Dev Portal, not configured by users",
	}
	// fileNames maps the schema files whose CamelCase names do not split into Kong's plugin
	// name by the usual rule.
	fileNames = map[string]string{"AiA2AProxy": "ai-a2a-proxy"}
	// nullRecords are optional records that stay null unless given, although some of their
	// fields have defaults: Redis's cloud_authentication only applies with an auth_provider.
	nullRecords = []string{"cloud_authentication"}
)

var wordStart = regexp.MustCompile(`([a-z0-9])([A-Z])`)

// pluginName is Kong's plugin name for a schema file's base name: AiProxyAdvanced is
// ai-proxy-advanced, ACL is acl.
func pluginName(base string) string {
	if name, ok := fileNames[base]; ok {
		return name
	}
	return strings.ToLower(wordStart.ReplaceAllString(base, "$1-$2"))
}

// converter turns one plugin's JSON Schema into its definition. intEnums remembers the
// allowed values of integer fields, which a definition holds as a validator.
type converter struct {
	plugin   string
	intEnums map[*pluginschema.Field][]int64
}

// convert builds the definition of the plugin name from its JSON Schema.
func convert(name string, raw []byte) (*pluginschema.Plugin, map[*pluginschema.Field][]int64, error) {
	var root node
	if err := decode(raw, &root); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	c := &converter{plugin: name, intEnums: map[*pluginschema.Field][]int64{}}
	p := &pluginschema.Plugin{
		Name: name, Priority: priorities[name], Generated: true,
		GuardsAccess: slices.Contains(guardsAccess, name),
	}
	protocols := root.Properties["protocols"]
	if protocols == nil || protocols.Items == nil {
		return nil, nil, fmt.Errorf("%s: no protocols", name)
	}
	for _, e := range protocols.Items.Enum {
		p.Protocols = append(p.Protocols, fmt.Sprint(e))
	}
	defaults, _ := protocols.Default.([]any)
	for _, e := range defaults {
		p.DefaultProtocols = append(p.DefaultProtocols, fmt.Sprint(e))
	}
	p.NoConsumer = root.Properties["consumer"] == nil
	p.NoConsumerGroup = root.Properties["consumer_group"] == nil
	p.NoRoute = root.Properties["route"] == nil
	p.NoService = root.Properties["service"] == nil
	for _, s := range root.SupportedPartials {
		p.Partials = append(p.Partials, pluginschema.PartialSupport{Type: s.Name, Paths: s.Paths})
	}
	config := root.Properties["config"]
	if config == nil {
		return nil, nil, fmt.Errorf("%s: no config", name)
	}
	fields, err := c.fields(config, "config")
	if err != nil {
		return nil, nil, err
	}
	p.Config = fields
	if err := p.Check(); err != nil {
		return nil, nil, err
	}
	return p, c.intEnums, nil
}

// fields converts an object's properties, sorted by name (the schemas list them so).
func (c *converter) fields(n *node, path string) ([]*pluginschema.Field, error) {
	names := make([]string, 0, len(n.Properties))
	for name := range n.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]*pluginschema.Field, 0, len(names))
	for _, name := range names {
		f, err := c.field(n.Properties[name], path+"."+name, slices.Contains(n.Required, name))
		if err != nil {
			return nil, err
		}
		f.Name = name
		out = append(out, f)
	}
	return out, nil
}

func (c *converter) fail(path, format string, args ...any) error {
	return fmt.Errorf("%s: %s: %s", c.plugin, path, fmt.Sprintf(format, args...))
}

// field converts one property. required is whether its parent lists it as required.
func (c *converter) field(n *node, path string, required bool) (*pluginschema.Field, error) {
	f := &pluginschema.Field{Required: required, Referenceable: n.Referenceable, Encrypted: n.Encrypted,
		Sensitive: n.Encrypted || (n.Type == "string" && secretName(lastStep(path)))}
	values, anything, err := n.additional()
	if err != nil {
		return nil, c.fail(path, "%v", err)
	}
	switch {
	case n.OneOf != nil || n.TypeOverride == "any" || (n.Type == "object" && n.Properties == nil && (anything || values == nil)):
		// Polymorphic or free-form values (Datakit's nodes, an AI model's metadata) are kept
		// as given; their own rules live beside the definition where the emulator needs them.
		f.Type = pluginschema.TypeJSON
		f.Required = false
	case n.Type == "string":
		f.Type = pluginschema.TypeString
		for _, e := range n.Enum {
			s, ok := e.(string)
			if !ok {
				return nil, c.fail(path, "enum value %v is not a string", e)
			}
			f.Enum = append(f.Enum, s)
		}
		if n.MinLength != nil {
			f.LenMin = *n.MinLength
			f.AllowEmpty = *n.MinLength == 0
		}
		if n.MaxLength != nil {
			f.LenMax = *n.MaxLength
		}
		if n.Default == "" {
			f.AllowEmpty = true
		}
	case n.Type == "integer" || n.Type == "number":
		f.Type = pluginschema.TypeNumber
		if n.Type == "integer" {
			f.Type = pluginschema.TypeInteger
		}
		if err := c.numeric(f, n, path); err != nil {
			return nil, err
		}
	case n.Type == "boolean":
		f.Type = pluginschema.TypeBoolean
	case n.Type == "array":
		f.Type = pluginschema.TypeArray
		items := n.Items
		if items == nil {
			items = &node{TypeOverride: "any"}
		}
		if f.Elements, err = c.field(items, path+".elements", false); err != nil {
			return nil, err
		}
		f.Elements.Required = false
		if n.MinLength != nil {
			f.LenMin = *n.MinLength
		}
		if n.MaxLength != nil {
			f.LenMax = *n.MaxLength
		}
	case n.Type == "object" && n.Properties != nil:
		f.Type = pluginschema.TypeRecord
		if f.Fields, err = c.fields(n, path); err != nil {
			return nil, err
		}
		if slices.ContainsFunc(f.Fields, func(sub *pluginschema.Field) bool { return sub.Name == "cloud_authentication" }) {
			redisDefaults(f)
		}
		f.Required = required || (!n.Foreign && !slices.Contains(nullRecords, lastStep(path)) && fillable(f))
	case n.Type == "object":
		f.Type = pluginschema.TypeMap
		if f.Values, err = c.field(values, path+".values", false); err != nil {
			return nil, err
		}
	default:
		return nil, c.fail(path, "unsupported type %q", n.Type)
	}
	f.Description = describe(f)
	if n.Default != nil && f.Type != pluginschema.TypeJSON {
		def, errs := f.NormalizeValue(n.Default, path)
		if len(errs) > 0 {
			return nil, c.fail(path, "default %v: %s", n.Default, errs[0].Message)
		}
		f.Default = def
	}
	return f, nil
}

func (c *converter) numeric(f *pluginschema.Field, n *node, path string) error {
	if len(n.Enum) > 0 {
		if f.Type != pluginschema.TypeInteger {
			return c.fail(path, "enum on a number")
		}
		values := make([]int64, len(n.Enum))
		for i, e := range n.Enum {
			num, ok := e.(json.Number)
			x, err := num.Int64()
			if !ok || err != nil {
				return c.fail(path, "enum value %v is not an integer", e)
			}
			values[i] = x
		}
		f.Validator = pluginschema.IntegerOneOf(values...)
		c.intEnums[f] = values
	}
	switch {
	case n.Minimum != nil && n.Maximum != nil:
		f.Between = &[2]float64{*n.Minimum, *n.Maximum}
	case n.Minimum != nil && f.Type == pluginschema.TypeInteger:
		f.GreaterThan = ptr(*n.Minimum - 1) // the same integers, in Kong's words
	case n.Minimum != nil:
		f.Between = &[2]float64{*n.Minimum, math.MaxInt32}
	case n.Maximum != nil:
		return c.fail(path, "a maximum without a minimum")
	}
	return nil
}

// redisDefaults applies Konnect's defaults to a Redis record, where they differ from Kong's
// schemas: Konnect answers ssl_verify false.
func redisDefaults(f *pluginschema.Field) {
	if v := f.Field("ssl_verify"); v != nil && v.Type == pluginschema.TypeBoolean {
		v.Default = false
	}
}

// fillable tells whether an absent record is stored filled in: when it has defaults to fill
// in and no field that must be given. Kong stores its plugins' records so unless they are
// declared optional, which the JSON schemas do not say (UNCONFIRMED for records without a
// required flag in Kong's Lua schema: they are stored null there).
func fillable(f *pluginschema.Field) bool {
	hasDefault := false
	for _, sub := range f.Fields {
		if sub.Required && sub.Default == nil && sub.Type != pluginschema.TypeRecord {
			return false
		}
		if sub.Type == pluginschema.TypeRecord && sub.Required && !fillable(sub) {
			return false
		}
		hasDefault = hasDefault || sub.Default != nil || (sub.Type == pluginschema.TypeRecord && sub.Required)
	}
	return hasDefault
}

// secretName tells whether a field's name says it holds a secret (a password or a client
// secret, not an algorithm's or a header's name).
func secretName(name string) bool {
	return (strings.Contains(name, "password") || strings.Contains(name, "secret")) &&
		!strings.HasSuffix(name, "_alg") && !strings.HasSuffix(name, "_name")
}

func lastStep(path string) string {
	return path[strings.LastIndexByte(path, '.')+1:]
}

func ptr[T any](v T) *T { return &v }

// describe writes a field's description from its facts: its type and constraints. The
// provider adds the allowed values and the default.
func describe(f *pluginschema.Field) string {
	var b strings.Builder
	b.WriteString(typeWords(f))
	switch {
	case f.Between != nil:
		fmt.Fprintf(&b, ", from %s to %s", number(f.Between[0]), number(f.Between[1]))
	case f.GreaterThan != nil && f.Type == pluginschema.TypeInteger:
		fmt.Fprintf(&b, ", at least %s", number(*f.GreaterThan+1))
	case f.GreaterThan != nil:
		fmt.Fprintf(&b, ", greater than %s", number(*f.GreaterThan))
	}
	unit := "characters"
	if f.Type != pluginschema.TypeString {
		unit = "items"
	}
	switch {
	case f.LenMin > 0 && f.LenMax > 0:
		fmt.Fprintf(&b, ", %d to %d %s", f.LenMin, f.LenMax, unit)
	case f.LenMin > 0:
		fmt.Fprintf(&b, ", at least %d %s", f.LenMin, unit)
	case f.LenMax > 0:
		fmt.Fprintf(&b, ", at most %d %s", f.LenMax, unit)
	}
	b.WriteString(".")
	if f.Required && f.Type != pluginschema.TypeRecord {
		b.WriteString(" Required.")
	}
	if f.Referenceable {
		b.WriteString(" May be a vault reference (`{vault://...}`).")
	}
	if f.Encrypted {
		b.WriteString(" Secret: encrypted at rest.")
	}
	return b.String()
}

func typeWords(f *pluginschema.Field) string {
	switch f.Type {
	case pluginschema.TypeString:
		return "String"
	case pluginschema.TypeInteger:
		return "Integer"
	case pluginschema.TypeNumber:
		return "Number"
	case pluginschema.TypeBoolean:
		return "Boolean"
	case pluginschema.TypeArray, pluginschema.TypeSet:
		return "List of " + strings.ToLower(typeWords(f.Elements)) + "s"
	case pluginschema.TypeMap:
		return "Map of " + strings.ToLower(typeWords(f.Values)) + "s"
	case pluginschema.TypeRecord:
		return "Object"
	}
	return "Any JSON value"
}

func number(x float64) string {
	return fmt.Sprintf("%.14g", x)
}
