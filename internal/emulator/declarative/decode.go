package declarative

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// errNotObject is Kong's reason for a file that is not a table.
var errNotObject = errors.New("expected an object")

// Decode reads a declarative file: JSON when it starts with '{', YAML otherwise. JSON is YAML
// too, but decoding it as JSON keeps its numbers exact. Numbers come back as json.Number, as
// the rest of the emulator decodes bodies.
func Decode(data []byte) (map[string]any, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errNotObject
	}
	var v any
	if trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if dec.More() {
			return nil, errors.New("unexpected data after the JSON object")
		}
	} else {
		var raw any
		if err := yaml.Unmarshal(data, &raw); err != nil {
			return nil, errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
		}
		var err error
		if v, err = fromYAML(raw); err != nil {
			return nil, err
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errNotObject
	}
	return m, nil
}

// fromYAML turns what the YAML decoder gives into the values JSON decoding gives.
func fromYAML(v any) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			y, err := fromYAML(x)
			if err != nil {
				return nil, err
			}
			t[k] = y
		}
		return t, nil
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			y, err := fromYAML(x)
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(k)] = y
		}
		return out, nil
	case []any:
		for i, x := range t {
			y, err := fromYAML(x)
			if err != nil {
				return nil, err
			}
			t[i] = y
		}
		return t, nil
	case int:
		return json.Number(strconv.Itoa(t)), nil
	case int64:
		return json.Number(strconv.FormatInt(t, 10)), nil
	case uint64:
		return json.Number(strconv.FormatUint(t, 10)), nil
	case float64:
		if math.IsInf(t, 0) || math.IsNaN(t) {
			return nil, fmt.Errorf("number %v cannot be represented in JSON", t)
		}
		return json.Number(strconv.FormatFloat(t, 'g', -1, 64)), nil
	case time.Time:
		return t.Format(time.RFC3339Nano), nil
	default:
		return v, nil
	}
}
