package pluginschema

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kong's validation messages (kong/db/schema/init.lua, validation_errors).
const (
	msgString   = "expected a string"
	msgInteger  = "expected an integer"
	msgNumber   = "expected a number"
	msgBoolean  = "expected a boolean"
	msgArray    = "expected an array"
	msgSet      = "expected a set"
	msgMap      = "expected a map"
	msgRecord   = "expected a record"
	msgRequired = "required field missing"
	msgUnknown  = "unknown field"
	msgUUID     = "expected a valid UUID"
	msgNotNull  = "value must be null"
	// Printf formats.
	fmtOneOf       = "expected one of: %s"
	fmtGreaterThan = "value must be greater than %s"
	fmtBetween     = "value should be between %d and %d"
	fmtLenMin      = "length must be at least %d"
	fmtLenMax      = "length must be at most %d"
	fmtStartsWith  = "should start with: %s"
	fmtMatch       = "invalid value: %s"
	fmtAtLeastOne  = "at least one of these fields must be non-empty: %s"
	fmtConditional = "failed conditional validation given value of field '%s'"
	fmtContains    = "expected to contain: %v"
	// Older gateways wrote "only one of these fields must be non-empty: %s"; Kong's newest
	// schema code and Konnect's plugin validation say "exactly".
	fmtOnlyOneOf = "exactly one of these fields must be non-empty: %s"
)

// Normalize validates a plugin's config and returns it complete, the way Kong stores it.
//
// The input is decoded JSON: objects as map[string]any, arrays as []any, numbers as float64 or
// json.Number (Go integer types are accepted too). A nil config means an empty one, and a key
// whose value is nil (JSON null) counts as absent. That differs from Kong, which keeps an
// explicit null (or, for a required field, refuses it); we follow Konnect clients such as
// Terraform, which send null for every attribute that is not set and expect the default.
//
// The result has every schema field, at every level: given values in normalized form, absent
// ones at their default, or nil (JSON null) when there is none; absent required records are
// filled in field by field. Integers are int64 and other numbers float64, so that encoding
// the result as JSON writes 429, never 429.0. The input is not modified.
//
// On failure the result is nil and the errors are sorted as Kong lists them: entity errors
// first, in the order of the plugin's checks, then field errors by path.
func (p *Plugin) Normalize(config map[string]any) (map[string]any, []FieldError) {
	n := &normalizer{}
	out := n.record(p.Config, config, "config")
	configValid := len(n.errs) == 0

	entity := map[string]any{"config": out}
	var entityErrs []FieldError
	for _, c := range p.Checks {
		switch {
		case c.AtLeastOneOf != nil:
			if p.hasReference(entity, c.AtLeastOneOf...) {
				continue
			}
			if !slices.ContainsFunc(c.AtLeastOneOf, func(path string) bool {
				v, _ := lookup(entity, path)
				return nonEmpty(v)
			}) {
				entityErrs = append(entityErrs, FieldError{EntityField, fmt.Sprintf(fmtAtLeastOne, quotedList(c.AtLeastOneOf))})
			}
		case c.OnlyOneOf != nil:
			if p.hasReference(entity, c.OnlyOneOf...) {
				continue
			}
			count := 0
			for _, path := range c.OnlyOneOf {
				if v, _ := lookup(entity, path); nonEmpty(v) {
					count++
				}
			}
			if count != 1 {
				entityErrs = append(entityErrs, FieldError{EntityField, fmt.Sprintf(fmtOnlyOneOf, quotedList(c.OnlyOneOf))})
			}
		case c.Conditional != nil:
			cond := c.Conditional
			if p.hasReference(entity, cond.IfField, cond.ThenField) {
				continue
			}
			// Kong matches the value against the field's own rules as well, so a value that
			// failed them never triggers the rule.
			if !cond.applies(entity) || n.hasErrorAt(cond.IfField) {
				continue
			}
			then, _ := lookup(entity, cond.ThenField)
			switch {
			case cond.ThenContains != nil:
				if then == nil {
					continue
				}
				// A ThenField that failed its own checks fails the rule too, with the error
				// already recorded.
				if !n.hasErrorAt(cond.ThenField) {
					if list, ok := then.([]any); ok && slices.ContainsFunc(list, func(e any) bool { return equal(e, cond.ThenContains) }) {
						continue
					}
					n.add(cond.ThenField, fmt.Sprintf(fmtContains, cond.ThenContains))
				}
			case then != nil:
				continue
			default:
				n.add(cond.ThenField, msgRequired)
			}
			entityErrs = append(entityErrs, FieldError{EntityField, fmt.Sprintf(fmtConditional, cond.IfField)})
		case c.Custom != nil:
			// Kong runs a record's custom validator only once all its fields are valid.
			if configValid {
				if msg := c.Custom(out); msg != "" {
					n.add("config", msg)
				}
			}
		case c.EntityCustom != nil:
			if configValid {
				if msg := c.EntityCustom(out); msg != "" {
					entityErrs = append(entityErrs, FieldError{EntityField, msg})
				}
			}
		}
	}

	if len(entityErrs) == 0 && len(n.errs) == 0 {
		if p.Compile == nil {
			return out, nil
		}
		compiled, errs := p.Compile(out)
		if len(errs) == 0 {
			return compiled, nil
		}
		n.errs = append(n.errs, errs...)
	}
	slices.SortStableFunc(n.errs, func(a, b FieldError) int { return comparePaths(a.Field, b.Field) })
	return nil, append(entityErrs, n.errs...)
}

// NormalizeValue validates one value against a field and returns it normalized, as Normalize
// does for each field of a config; path prefixes the errors' paths.
func (f *Field) NormalizeValue(v any, path string) (any, []FieldError) {
	n := &normalizer{}
	out := n.value(f, v, path)
	if len(n.errs) > 0 {
		return nil, n.errs
	}
	return out, nil
}

// NormalizeProtocols validates a plugin's `protocols` and returns them as stored: the
// default when v is nil, otherwise the given values without duplicates.
func (p *Plugin) NormalizeProtocols(v any) ([]string, []FieldError) {
	if v == nil {
		return slices.Clone(p.DefaultProtocols), nil
	}
	f := &Field{Type: TypeSet, Elements: &Field{Type: TypeString, Enum: p.Protocols}}
	n := &normalizer{}
	out := n.value(f, v, "protocols")
	if len(n.errs) > 0 {
		slices.SortStableFunc(n.errs, func(a, b FieldError) int { return comparePaths(a.Field, b.Field) })
		return nil, n.errs
	}
	list := out.([]any)
	protocols := make([]string, len(list))
	for i, e := range list {
		protocols[i] = e.(string)
	}
	return protocols, nil
}

// CheckScope refuses the scopes the plugin cannot have, with Kong's message for a foreign
// key that must be null (typedefs.no_consumer and the like).
func (p *Plugin) CheckScope(s Scope) []FieldError {
	var errs []FieldError
	for _, c := range []struct {
		field         string
		set, excluded bool
	}{
		{"consumer", s.Consumer, p.NoConsumer},
		{"consumer_group", s.ConsumerGroup, p.NoConsumerGroup},
		{"route", s.Route, p.NoRoute},
		{"service", s.Service, p.NoService},
	} {
		if c.set && c.excluded {
			errs = append(errs, FieldError{c.field, msgNotNull})
		}
	}
	return errs
}

// hasReference tells whether one of the fields holds a vault reference: Kong skips an
// entity check then, since the real value is only known to the data plane.
func (p *Plugin) hasReference(entity map[string]any, paths ...string) bool {
	for _, path := range paths {
		rel, _ := strings.CutPrefix(path, "config.")
		f := p.ConfigField(rel)
		v, _ := lookup(entity, path)
		if s, ok := v.(string); ok && f != nil && f.Referenceable && isReference(s) {
			return true
		}
	}
	return false
}

// applies tells whether the rule's condition holds for the entity.
func (c *Conditional) applies(entity map[string]any) bool {
	v, _ := lookup(entity, c.IfField)
	if v == nil {
		return false
	}
	if c.IfGreaterThan != nil {
		x, ok := toNumber(v)
		return ok && x > *c.IfGreaterThan
	}
	return equal(v, c.IfEquals)
}

// normalizer walks a value and its schema together, collecting errors. On a bad value it
// keeps the input value in the output, so that entity checks see what was sent, as in Kong.
type normalizer struct {
	errs []FieldError
}

func (n *normalizer) add(path, msg string) {
	n.errs = append(n.errs, FieldError{path, msg})
}

// hasErrorAt tells whether the value at path, or anything inside it, was refused.
func (n *normalizer) hasErrorAt(path string) bool {
	return slices.ContainsFunc(n.errs, func(e FieldError) bool {
		return e.Field == path || strings.HasPrefix(e.Field, path+".")
	})
}

func (n *normalizer) record(fields []*Field, in map[string]any, path string) map[string]any {
	var unknown []string
	for k := range in {
		if fieldNamed(fields, k) == nil {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		n.add(path+"."+k, msgUnknown)
	}
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		p := path + "." + f.Name
		if v := in[f.Name]; v != nil {
			out[f.Name] = n.value(f, v, p)
		} else {
			out[f.Name] = n.missing(f, p)
		}
	}
	return out
}

// missing is the stored value of an absent (or null) field.
func (n *normalizer) missing(f *Field, path string) any {
	switch {
	case f.Default != nil:
		return n.value(f, f.Default, path) // a deep copy, in normalized form
	case f.Type == TypeRecord && f.Required:
		return n.value(f, map[string]any{}, path)
	case f.Required:
		n.add(path, msgRequired)
	}
	return nil
}

// value checks a present, non-null value against f and returns it normalized.
func (n *normalizer) value(f *Field, v any, path string) any {
	if s, ok := v.(string); ok && f.Referenceable && isReference(s) {
		return s
	}
	fail := func(msg string) any {
		n.add(path, msg)
		return v
	}
	switch f.Type {
	case TypeString:
		s, ok := v.(string)
		if !ok {
			return fail(msgString)
		}
		if msg := checkString(f, s); msg != "" {
			return fail(msg)
		}
		return s
	case TypeInteger:
		i, ok := toInteger(v)
		if !ok {
			return fail(msgInteger)
		}
		if msg := checkNumber(f, float64(i)); msg != "" {
			return fail(msg)
		}
		if msg := custom(f, i); msg != "" {
			return fail(msg)
		}
		return i
	case TypeNumber:
		x, ok := toNumber(v)
		if !ok {
			return fail(msgNumber)
		}
		if msg := checkNumber(f, x); msg != "" {
			return fail(msg)
		}
		if msg := custom(f, x); msg != "" {
			return fail(msg)
		}
		return x
	case TypeBoolean:
		b, ok := v.(bool)
		if !ok {
			return fail(msgBoolean)
		}
		if msg := custom(f, b); msg != "" {
			return fail(msg)
		}
		return b
	case TypeArray, TypeSet:
		return n.list(f, v, path)
	case TypeMap:
		return n.mapValue(f, v, path)
	case TypeJSON:
		j := plainJSON(v)
		if msg := custom(f, j); msg != "" {
			return fail(msg)
		}
		return j
	case TypeRecord:
		m, ok := v.(map[string]any)
		if !ok {
			return fail(msgRecord)
		}
		before := len(n.errs)
		out := n.record(f.Fields, m, path)
		if len(n.errs) == before {
			if msg := custom(f, out); msg != "" {
				n.add(path, msg)
			}
		}
		return out
	}
	return fail(fmt.Sprintf("invalid type: %s", f.Type))
}

func (n *normalizer) list(f *Field, v any, path string) any {
	var in []any
	switch l := v.(type) {
	case []any:
		in = l
	case []string:
		in = make([]any, len(l))
		for i, s := range l {
			in[i] = s
		}
	default:
		if f.Type == TypeSet {
			n.add(path, msgSet)
		} else {
			n.add(path, msgArray)
		}
		return v
	}
	before := len(n.errs)
	out := make([]any, 0, len(in))
	for i, e := range in {
		p := path + "." + strconv.Itoa(i+1) // Kong numbers positions from 1
		var ev any
		if e == nil {
			n.add(p, msgRequired) // elements are always required
		} else {
			ev = n.value(f.Elements, e, p)
		}
		// A set keeps the first of equal scalars; Kong compares tables by identity, so
		// aggregate elements are never merged.
		if f.Type == TypeSet && isScalar(ev) && slices.Contains(out, ev) {
			continue
		}
		out = append(out, ev)
	}
	if len(n.errs) > before {
		return out
	}
	if f.LenMin > 0 && len(out) < f.LenMin {
		n.add(path, fmt.Sprintf(fmtLenMin, f.LenMin))
		return out
	}
	if f.LenMax > 0 && len(out) > f.LenMax {
		n.add(path, fmt.Sprintf(fmtLenMax, f.LenMax))
		return out
	}
	if msg := custom(f, out); msg != "" {
		n.add(path, msg)
	}
	return out
}

func (n *normalizer) mapValue(f *Field, v any, path string) any {
	m, ok := v.(map[string]any)
	if !ok {
		n.add(path, msgMap)
		return v
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	// Kong reports a map's first bad value on the map itself, not on the key.
	sub := &normalizer{}
	out := make(map[string]any, len(m))
	for _, k := range keys {
		if m[k] == nil {
			sub.add(path, msgRequired)
			continue
		}
		out[k] = sub.value(f.Values, m[k], path+"."+k)
	}
	if len(sub.errs) > 0 {
		n.add(path, sub.errs[0].Message)
		return v
	}
	if msg := custom(f, out); msg != "" {
		n.add(path, msg)
	}
	return out
}

// checkString applies a string field's constraints in Kong's order (validators_order).
func checkString(f *Field, s string) string {
	if f.Enum != nil && !slices.Contains(f.Enum, s) {
		return fmt.Sprintf(fmtOneOf, strings.Join(f.Enum, ", "))
	}
	if f.UUID && !uuidPattern.MatchString(s) {
		return msgUUID
	}
	minLen := f.LenMin
	if minLen == 0 && !f.AllowEmpty {
		minLen = 1 // Kong refuses empty strings unless a field allows them
	}
	if len(s) < minLen {
		return fmt.Sprintf(fmtLenMin, minLen)
	}
	if f.LenMax > 0 && utf8.RuneCountInString(s) > f.LenMax {
		return fmt.Sprintf(fmtLenMax, f.LenMax)
	}
	if f.StartsWith != "" && !strings.HasPrefix(s, f.StartsWith) {
		return fmt.Sprintf(fmtStartsWith, f.StartsWith)
	}
	if f.Match != "" {
		if re, err := compile(f.Match); err != nil || !re.MatchString(s) {
			return fmt.Sprintf(fmtMatch, s)
		}
	}
	return custom(f, s)
}

// checkNumber applies a numeric field's bounds in Kong's order.
func checkNumber(f *Field, x float64) string {
	if f.GreaterThan != nil && !(x > *f.GreaterThan) {
		return fmt.Sprintf(fmtGreaterThan, luaNumber(*f.GreaterThan))
	}
	if b := f.Between; b != nil && (x < b[0] || x > b[1]) {
		return fmt.Sprintf(fmtBetween, int64(b[0]), int64(b[1]))
	}
	return ""
}

func custom(f *Field, v any) string {
	if f.Validator == nil {
		return ""
	}
	return f.Validator(v)
}

// luaNumber formats a number as Lua's tostring does (LuaJIT uses "%.14g"), since Kong
// builds some messages that way.
func luaNumber(x float64) string {
	return fmt.Sprintf("%.14g", x)
}

var uuidPattern = regexp.MustCompile(`^(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func toInteger(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		return floatToInteger(x)
	case float32:
		return floatToInteger(float64(x))
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, true
		}
		f, err := x.Float64()
		if err != nil {
			return 0, false
		}
		return floatToInteger(f) // Kong takes 6379.0 as an integer
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint:
		return uintToInteger(uint64(x))
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return uintToInteger(x)
	}
	return 0, false
}

func floatToInteger(x float64) (int64, bool) {
	// 2^63 itself does not fit; every whole float below it does.
	if x != math.Trunc(x) || x < math.MinInt64 || x >= math.MaxInt64 {
		return 0, false
	}
	return int64(x), true
}

func uintToInteger(x uint64) (int64, bool) {
	if x > math.MaxInt64 {
		return 0, false
	}
	return int64(x), true
}

func toNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	if i, ok := toInteger(v); ok {
		return float64(i), true
	}
	if f, ok := v.(float32); ok {
		return float64(f), true
	}
	return 0, false
}

// isReference tells whether s is a vault reference, by the test Kong's vault module uses.
func isReference(s string) bool {
	return len(s) > len("{vault://") && strings.HasPrefix(s, "{vault://") && strings.HasSuffix(s, "}")
}

func isScalar(v any) bool {
	switch v.(type) {
	case string, int64, float64, bool:
		return true
	}
	return false
}

// nonEmpty is Kong's is_nonempty: not null, not an empty string, not an empty array or map.
func nonEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// equal compares normalized values; numbers compare by value whatever their Go type.
func equal(a, b any) bool {
	if x, ok := toNumber(a); ok && isNumber(a) {
		y, ok := toNumber(b)
		return ok && isNumber(b) && x == y
	}
	return reflect.DeepEqual(a, b)
}

func isNumber(v any) bool {
	switch v.(type) {
	case float64, float32, json.Number, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return true
	}
	return false
}

// lookup finds the value at a dotted path in nested maps; found is false when a step is
// missing or not a map.
func lookup(m map[string]any, path string) (v any, found bool) {
	var cur any = m
	for name := range strings.SplitSeq(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[name]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// quotedList writes names as Kong's entity checks do: 'a', 'b', 'c'.
func quotedList(names []string) string {
	quoted := make([]string, len(names))
	for i, name := range names {
		quoted[i] = "'" + name + "'"
	}
	return strings.Join(quoted, ", ")
}

// comparePaths orders dotted paths step by step, positions numerically, as Kong sorts each
// level of its error table.
func comparePaths(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		ai, aerr := strconv.Atoi(as[i])
		bi, berr := strconv.Atoi(bs[i])
		if aerr == nil && berr == nil {
			return ai - bi
		}
		return strings.Compare(as[i], bs[i])
	}
	return len(as) - len(bs)
}

// plainJSON copies a decoded JSON value with its numbers as int64 (whole numbers) or float64,
// as every other field's are normalized.
func plainJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plainJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainJSON(e)
		}
		return out
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case float64:
		if i, ok := floatToInteger(x); ok && math.Abs(x) < 1<<53 {
			return i
		}
		return x
	}
	if i, ok := toInteger(v); ok {
		return i
	}
	return v
}
