package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// writeExample writes the provider's examples of a plugin resource: a resource with the
// config fields Kong requires (the smallest valid config) and its import.
func writeExample(dir string, p *pluginschema.Plugin) error {
	resource := "konnect_gateway_plugin_" + strings.ReplaceAll(p.Name, "-", "_")
	path := filepath.Join(dir, resource)
	if err := os.MkdirAll(path, 0o755); err != nil {
		return err
	}
	config := exampleRecord(p.Config)
	if _, errs := p.Normalize(config); len(errs) > 0 {
		return fmt.Errorf("%s: the example config is refused: %s", p.Name, pluginschema.Summary(errs))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# The %s plugin with the settings it requires; every other setting keeps its default.\n", p.Name)
	fmt.Fprintf(&b, "resource %q \"example\" {\n", resource)
	b.WriteString("  control_plane_id = konnect_gateway_control_plane.example.id\n")
	if !p.NoService {
		b.WriteString("  service = {\n    id = konnect_gateway_service.example.id\n  }\n")
	}
	b.WriteString("\n  config = ")
	writeHCL(&b, config, "  ")
	b.WriteString("\n}\n")
	// Written as terraform fmt would write it, so that the docs rendered from it before
	// `terraform fmt` runs are the same on every run.
	if err := os.WriteFile(filepath.Join(path, "resource.tf"), hclwrite.Format([]byte(b.String())), 0o644); err != nil {
		return err
	}
	importSh := "# The id is a JSON object: the control plane's id and the plugin's id.\n" +
		"terraform import " + resource + ".example '{\"control_plane_id\": \"9524ec7d-36d9-465d-a8c5-83a3c9390458\", \"id\": \"3b9e5a7c-0d2f-4c4b-9f8e-1a6d7b0c2e53\"}'\n"
	return os.WriteFile(filepath.Join(path, "import.sh"), []byte(importSh), 0o644)
}

// exampleRecord holds an example value for each required field that has no default.
func exampleRecord(fields []*pluginschema.Field) map[string]any {
	out := map[string]any{}
	for _, f := range fields {
		switch {
		case f.Type == pluginschema.TypeRecord && f.Required:
			if sub := exampleRecord(f.Fields); len(sub) > 0 {
				out[f.Name] = sub
			}
		case f.Required && f.Default == nil:
			out[f.Name] = exampleValue(f)
		}
	}
	return out
}

func exampleValue(f *pluginschema.Field) any {
	switch f.Type {
	case pluginschema.TypeString:
		return exampleString(f)
	case pluginschema.TypeInteger:
		return int64(exampleNumber(f))
	case pluginschema.TypeNumber:
		return exampleNumber(f)
	case pluginschema.TypeBoolean:
		return false
	case pluginschema.TypeArray, pluginschema.TypeSet:
		n := max(1, f.LenMin)
		list := make([]any, n)
		for i := range list {
			e := *f.Elements
			e.Name = f.Name
			list[i] = exampleValue(&e)
		}
		return list
	case pluginschema.TypeMap:
		return map[string]any{"example": exampleValue(f.Values)}
	case pluginschema.TypeRecord:
		return exampleRecord(f.Fields)
	}
	return map[string]any{}
}

func exampleString(f *pluginschema.Field) string {
	if len(f.Enum) > 0 {
		return f.Enum[0]
	}
	s := "example"
	name := strings.ToLower(f.Name)
	switch {
	case f.Sensitive && f.Referenceable:
		s = "{vault://env/EXAMPLE_SECRET}"
	case strings.HasSuffix(name, "url") || strings.HasSuffix(name, "uri") || strings.HasSuffix(name, "endpoint"):
		s = "https://example.com/"
	case strings.HasSuffix(name, "host"):
		s = "example.com"
	}
	for len(s) < f.LenMin {
		s += "-example"
	}
	if f.LenMax > 0 && len(s) > f.LenMax {
		s = s[:f.LenMax]
	}
	return s
}

func exampleNumber(f *pluginschema.Field) float64 {
	switch {
	case f.Between != nil:
		return f.Between[0]
	case f.GreaterThan != nil:
		return *f.GreaterThan + 1
	}
	return 1
}

var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// writeHCL writes a value as an HCL expression, objects one attribute a line.
func writeHCL(b *strings.Builder, v any, indent string) {
	switch x := v.(type) {
	case string:
		b.WriteString(strconv.Quote(strings.ReplaceAll(x, "${", "$${")))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case []any:
		b.WriteString("[")
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeHCL(b, e, indent)
		}
		b.WriteString("]")
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("{}")
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("{\n")
		for _, k := range keys {
			key := k
			if !identifier.MatchString(k) {
				key = strconv.Quote(k)
			}
			b.WriteString(indent + "  " + key + " = ")
			writeHCL(b, x[k], indent+"  ")
			b.WriteString("\n")
		}
		b.WriteString(indent + "}")
	}
}
