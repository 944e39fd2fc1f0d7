package opa

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Decision is what the policy said about one request, read as the OPA-Envoy plugin reads it.
type Decision struct {
	Allowed bool
	// Status is the status of a denied request (http_status, default 403).
	Status int
	// Body is the body of a denied request; HasBody tells an empty body from none.
	Body    string
	HasBody bool
	// Headers go to the client on a deny, and to the upstream request on an allow (replacing).
	Headers http.Header
	// ResponseHeadersToAdd go to the client on an allow.
	ResponseHeadersToAdd http.Header
	// RequestHeadersToRemove are dropped from the upstream request on an allow.
	RequestHeadersToRemove []string
	// QueryParametersToRemove and QueryParametersToSet rewrite the upstream query on an allow.
	QueryParametersToRemove []string
	QueryParametersToSet    map[string][]string
	// NotEnforced lists decision keys that are read but have no effect here.
	NotEnforced []string
}

// ReadDecision turns the value of the decision rule into a Decision. A value that is neither a
// boolean nor an object, an object without a boolean `allowed`, or a malformed field is an
// error: the agent could not decide.
func ReadDecision(v any) (Decision, error) {
	d := Decision{Status: http.StatusForbidden}
	switch x := v.(type) {
	case bool:
		d.Allowed = x
		return d, nil
	case map[string]any:
		return readObject(x, d)
	default:
		return d, fmt.Errorf("illegal value for policy evaluation result: %T", v)
	}
}

func readObject(o map[string]any, d Decision) (Decision, error) {
	raw, ok := o["allowed"]
	if !ok {
		return d, errors.New(`unable to determine evaluation result due to missing "allowed" key`)
	}
	if d.Allowed, ok = raw.(bool); !ok {
		return d, fmt.Errorf("expected allowed to be of type 'boolean' but got '%T'", raw)
	}
	var err error
	if v, ok := o["http_status"]; ok {
		n, isNum := v.(json.Number)
		if !isNum {
			return d, fmt.Errorf("expected http_status to be of type 'number' but got '%T'", v)
		}
		code, convErr := n.Int64()
		if convErr != nil || http.StatusText(int(code)) == "" {
			return d, fmt.Errorf("invalid HTTP status code %v", n)
		}
		d.Status = int(code)
	}
	if v, ok := o["body"]; ok {
		if d.Body, ok = v.(string); !ok {
			return d, fmt.Errorf("expected body to be of type 'string' but got '%T'", v)
		}
		d.HasBody = true
	}
	if d.Headers, err = readHeaders(o, "headers"); err != nil {
		return d, err
	}
	if d.ResponseHeadersToAdd, err = readHeaders(o, "response_headers_to_add"); err != nil {
		return d, err
	}
	if d.RequestHeadersToRemove, err = readStrings(o, "request_headers_to_remove"); err != nil {
		return d, err
	}
	if d.QueryParametersToRemove, err = readStrings(o, "query_parameters_to_remove"); err != nil {
		return d, err
	}
	if d.QueryParametersToSet, err = readQuerySet(o); err != nil {
		return d, err
	}
	if _, ok := o["dynamic_metadata"]; ok {
		d.NotEnforced = append(d.NotEnforced, "dynamic_metadata (there is no Envoy filter chain to read it)")
	}
	return d, nil
}

// readHeaders accepts an object of string or string-array values, or an array of such objects.
func readHeaders(o map[string]any, field string) (http.Header, error) {
	v, ok := o[field]
	if !ok {
		return nil, nil
	}
	var objs []map[string]any
	switch x := v.(type) {
	case map[string]any:
		objs = []map[string]any{x}
	case []any:
		for _, e := range x {
			m, isObj := e.(map[string]any)
			if !isObj {
				return nil, fmt.Errorf("expected %s to be of type 'object' but got '%T'", field, e)
			}
			objs = append(objs, m)
		}
	default:
		return nil, fmt.Errorf("expected %s to be of type 'object' but got '%T'", field, v)
	}
	h := http.Header{}
	for _, m := range objs {
		for k, val := range m {
			switch vv := val.(type) {
			case string:
				h.Add(k, vv)
			case []any:
				for _, e := range vv {
					s, isStr := e.(string)
					if !isStr {
						return nil, fmt.Errorf("invalid value type %T for header '%s'", e, k)
					}
					h.Add(k, s)
				}
			default:
				return nil, fmt.Errorf("type assertion error for header '%s'", k)
			}
		}
	}
	return h, nil
}

func readStrings(o map[string]any, field string) ([]string, error) {
	v, ok := o[field]
	if !ok {
		return nil, nil
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("expected %s to be of type '[]string' but got '%T'", field, v)
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		s, isStr := e.(string)
		if !isStr {
			return nil, fmt.Errorf("expected %s value to be of type 'string' but got '%T'", field, e)
		}
		out = append(out, s)
	}
	return out, nil
}

func readQuerySet(o map[string]any) (map[string][]string, error) {
	v, ok := o["query_parameters_to_set"]
	if !ok {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected query_parameters_to_set to be a map but got '%T'", v)
	}
	out := make(map[string][]string, len(m))
	for k, val := range m {
		switch vv := val.(type) {
		case string:
			out[k] = []string{vv}
		case []any:
			for _, e := range vv {
				s, isStr := e.(string)
				if !isStr {
					return nil, fmt.Errorf("expected array element to be string but got '%T'", e)
				}
				out[k] = append(out[k], s)
			}
		default:
			return nil, fmt.Errorf("expected value to be string or array but got '%T'", val)
		}
	}
	return out, nil
}
