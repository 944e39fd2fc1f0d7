package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The provider's resources are described by schemas built from client/openapi.yaml and
// internal/pluginschema, so their values are converted between Terraform and the API's JSON
// generically, at the tftypes level, rather than through one hand-written model per resource.

// toJSON converts a Terraform value to the JSON value the API expects. Null becomes JSON
// null (the API clears the field); unknown values are reported as absent so the server fills
// them in.
func toJSON(v tftypes.Value) (any, bool, error) {
	if !v.IsKnown() {
		return nil, false, nil
	}
	if v.IsNull() {
		return nil, true, nil
	}
	t := v.Type()
	switch {
	case t.Is(tftypes.String):
		var s string
		err := v.As(&s)
		return s, true, err
	case t.Is(tftypes.Bool):
		var b bool
		err := v.As(&b)
		return b, true, err
	case t.Is(tftypes.Number):
		var f big.Float
		if err := v.As(&f); err != nil {
			return nil, false, err
		}
		if f.IsInt() {
			if i, acc := f.Int64(); acc == big.Exact {
				return i, true, nil
			}
		}
		x, _ := f.Float64()
		return x, true, nil
	case t.Is(tftypes.List{}), t.Is(tftypes.Set{}), t.Is(tftypes.Tuple{}):
		var elems []tftypes.Value
		if err := v.As(&elems); err != nil {
			return nil, false, err
		}
		out := make([]any, 0, len(elems))
		for _, e := range elems {
			j, known, err := toJSON(e)
			if err != nil {
				return nil, false, err
			}
			if known {
				out = append(out, j)
			}
		}
		return out, true, nil
	case t.Is(tftypes.Map{}), t.Is(tftypes.Object{}):
		var attrs map[string]tftypes.Value
		if err := v.As(&attrs); err != nil {
			return nil, false, err
		}
		out := make(map[string]any, len(attrs))
		for k, e := range attrs {
			j, known, err := toJSON(e)
			if err != nil {
				return nil, false, err
			}
			if known {
				out[k] = j
			}
		}
		return out, true, nil
	}
	return nil, false, fmt.Errorf("unsupported Terraform type %s", t)
}

// fromJSON builds a Terraform value of type t from a JSON value decoded with UseNumber.
// prior is the value Terraform holds now (planned or in state), used to keep its
// representation where the API's differs only in form: an empty list for a null one, or a
// JSON string with other spacing.
func fromJSON(t tftypes.Type, j any, prior tftypes.Value) (tftypes.Value, error) {
	priorKnown := prior.Type() != nil && prior.IsKnown()
	if isEmpty(j) && priorKnown && isEmptyValue(prior) {
		return prior, nil
	}
	if j == nil {
		return tftypes.NewValue(t, nil), nil
	}
	switch {
	case t.Is(tftypes.DynamicPseudoType):
		// A dynamic attribute keeps the prior value, with its types, when it holds the same JSON.
		if priorKnown && !prior.IsNull() {
			if pj, known, err := toJSON(prior); err == nil && known && sameJSONValue(pj, j) {
				return prior, nil
			}
		}
		return dynamicFromJSON(j)
	case t.Is(tftypes.String):
		switch x := j.(type) {
		case string:
			return tftypes.NewValue(t, x), nil
		case json.Number:
			return tftypes.NewValue(t, x.String()), nil
		case bool:
			return tftypes.NewValue(t, strconv.FormatBool(x)), nil
		default:
			// An object or array held in a string attribute as JSON text: keep the
			// configured text when it means the same.
			b, err := json.Marshal(x)
			if err != nil {
				return tftypes.Value{}, err
			}
			if priorKnown && !prior.IsNull() {
				var s string
				if prior.As(&s) == nil && sameJSON(s, b) {
					return prior, nil
				}
			}
			return tftypes.NewValue(t, string(b)), nil
		}
	case t.Is(tftypes.Bool):
		b, ok := j.(bool)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("expected a boolean, got %v", j)
		}
		return tftypes.NewValue(t, b), nil
	case t.Is(tftypes.Number):
		var text string
		switch x := j.(type) {
		case json.Number:
			text = x.String()
		case float64:
			text = strconv.FormatFloat(x, 'g', -1, 64)
		case int64:
			text = strconv.FormatInt(x, 10)
		case string:
			text = x
		default:
			return tftypes.Value{}, fmt.Errorf("expected a number, got %v", j)
		}
		f, err := parseNumber(text)
		if err != nil {
			return tftypes.Value{}, fmt.Errorf("expected a number, got %q", text)
		}
		return tftypes.NewValue(t, f), nil
	case t.Is(tftypes.List{}), t.Is(tftypes.Set{}):
		list, ok := j.([]any)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("expected a list, got %v", j)
		}
		var elemType tftypes.Type
		if l, ok := t.(tftypes.List); ok {
			elemType = l.ElementType
		} else {
			elemType = t.(tftypes.Set).ElementType
		}
		var priorElems []tftypes.Value
		if priorKnown && !prior.IsNull() {
			if err := prior.As(&priorElems); err != nil {
				return tftypes.Value{}, fmt.Errorf("reading the prior value: %w", err)
			}
		}
		elems := make([]tftypes.Value, len(list))
		for i, e := range list {
			var p tftypes.Value
			if i < len(priorElems) && t.Is(tftypes.List{}) {
				p = priorElems[i]
			}
			v, err := fromJSON(elemType, e, p)
			if err != nil {
				return tftypes.Value{}, fmt.Errorf("[%d]: %w", i, err)
			}
			elems[i] = v
		}
		return tftypes.NewValue(t, elems), nil
	case t.Is(tftypes.Map{}):
		m, ok := j.(map[string]any)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("expected an object, got %v", j)
		}
		var priorElems map[string]tftypes.Value
		if priorKnown && !prior.IsNull() {
			if err := prior.As(&priorElems); err != nil {
				return tftypes.Value{}, fmt.Errorf("reading the prior value: %w", err)
			}
		}
		elems := make(map[string]tftypes.Value, len(m))
		for k, e := range m {
			v, err := fromJSON(t.(tftypes.Map).ElementType, e, priorElems[k])
			if err != nil {
				return tftypes.Value{}, fmt.Errorf("%s: %w", k, err)
			}
			elems[k] = v
		}
		return tftypes.NewValue(t, elems), nil
	case t.Is(tftypes.Object{}):
		m, ok := j.(map[string]any)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("expected an object, got %v", j)
		}
		return objectFromJSON(t.(tftypes.Object), m, prior)
	}
	return tftypes.Value{}, fmt.Errorf("unsupported Terraform type %s", t)
}

// dynamicFromJSON is a JSON value as a dynamic attribute holds it: objects as objects,
// arrays as tuples, as Terraform reads the same value written in HCL.
func dynamicFromJSON(j any) (tftypes.Value, error) {
	switch x := j.(type) {
	case nil:
		return tftypes.NewValue(tftypes.DynamicPseudoType, nil), nil
	case string:
		return tftypes.NewValue(tftypes.String, x), nil
	case bool:
		return tftypes.NewValue(tftypes.Bool, x), nil
	case json.Number, float64, int64:
		return fromJSON(tftypes.Number, x, tftypes.Value{})
	case []any:
		elems := make([]tftypes.Value, len(x))
		elemTypes := make([]tftypes.Type, len(x))
		for i, e := range x {
			v, err := dynamicFromJSON(e)
			if err != nil {
				return tftypes.Value{}, fmt.Errorf("[%d]: %w", i, err)
			}
			elems[i], elemTypes[i] = v, v.Type()
		}
		return tftypes.NewValue(tftypes.Tuple{ElementTypes: elemTypes}, elems), nil
	case map[string]any:
		attrs := make(map[string]tftypes.Value, len(x))
		attrTypes := make(map[string]tftypes.Type, len(x))
		for k, e := range x {
			v, err := dynamicFromJSON(e)
			if err != nil {
				return tftypes.Value{}, fmt.Errorf("%s: %w", k, err)
			}
			attrs[k], attrTypes[k] = v, v.Type()
		}
		return tftypes.NewValue(tftypes.Object{AttributeTypes: attrTypes}, attrs), nil
	}
	return tftypes.Value{}, fmt.Errorf("unsupported JSON value %v", j)
}

// sameJSONValue tells whether two decoded JSON values are equal, whatever Go types hold
// their numbers.
func sameJSONValue(a, b any) bool {
	x, errA := json.Marshal(a)
	y, errB := json.Marshal(b)
	return errA == nil && errB == nil && sameJSON(string(x), y)
}

// objectFromJSON fills each attribute of an object type from the JSON object's field of the
// same name; fields the type does not have are ignored.
func objectFromJSON(t tftypes.Object, m map[string]any, prior tftypes.Value) (tftypes.Value, error) {
	var priorAttrs map[string]tftypes.Value
	if prior.Type() != nil && prior.IsKnown() && !prior.IsNull() {
		if err := prior.As(&priorAttrs); err != nil {
			return tftypes.Value{}, fmt.Errorf("reading the prior value: %w", err)
		}
	}
	attrs := make(map[string]tftypes.Value, len(t.AttributeTypes))
	for name, at := range t.AttributeTypes {
		v, err := fromJSON(at, m[name], priorAttrs[name])
		if err != nil {
			return tftypes.Value{}, fmt.Errorf("%s: %w", name, err)
		}
		attrs[name] = v
	}
	return tftypes.NewValue(t, attrs), nil
}

// parseNumber reads a number's decimal text as Terraform does (512 bits, as it reads numbers
// from configurations and state files), so that a fraction such as 0.01 from the API or a
// default equals the value Terraform holds for the same text.
func parseNumber(text string) (*big.Float, error) {
	f, _, err := big.ParseFloat(text, 10, 512, big.ToNearestEven)
	return f, err
}

func isEmpty(j any) bool {
	switch x := j.(type) {
	case nil:
		return true
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// isEmptyValue tells whether a known value is null or an empty collection.
func isEmptyValue(v tftypes.Value) bool {
	if v.IsNull() {
		return true
	}
	t := v.Type()
	if t.Is(tftypes.List{}) || t.Is(tftypes.Set{}) {
		var elems []tftypes.Value
		return v.As(&elems) == nil && len(elems) == 0
	}
	if t.Is(tftypes.Map{}) {
		var elems map[string]tftypes.Value
		return v.As(&elems) == nil && len(elems) == 0
	}
	return false
}

func sameJSON(text string, b []byte) bool {
	var x, y any
	if json.Unmarshal([]byte(text), &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// setFromJSON stores an entity as the API returned it in a resource's or data source's state;
// prior (plan or state, or the zero Value) keeps the form of values the API writes differently.
func setFromJSON(ctx context.Context, state *tfsdk.State, data map[string]any, prior tftypes.Value, entity string, diags *diag.Diagnostics) {
	t := state.Schema.Type().TerraformType(ctx).(tftypes.Object)
	v, err := objectFromJSON(t, data, prior)
	if err != nil {
		diags.AddError("Unexpected answer from the Konnect API", fmt.Sprintf("The %s the API returned does not fit: %s.", entity, err))
		return
	}
	state.Raw = v
}

// decodeJSON decodes an API answer keeping numbers exact.
func decodeJSON(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("decoding the API's answer: %w", err)
	}
	return m, nil
}
