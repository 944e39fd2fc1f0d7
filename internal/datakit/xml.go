package datakit

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
)

// xmlOptions are the naming options json_to_xml and xml_to_json share.
type xmlOptions struct {
	attrBlock  string // the key holding an element's attributes as an object ("#attr")
	attrPrefix string // or: keys with this prefix are attributes ("@id")
	textBlock  string // the key holding an element's text when it also has children or attributes
}

func readXMLOptions(m map[string]any, fail func(string, string, ...any) error) (xmlOptions, error) {
	o := xmlOptions{textBlock: m["text_block_name"].(string)}
	o.attrBlock, _ = m["attributes_block_name"].(string)
	o.attrPrefix, _ = m["attributes_name_prefix"].(string)
	if o.attrBlock != "" && o.attrPrefix != "" {
		return o, fail("attributes_name_prefix", "only one of attributes_block_name and attributes_name_prefix may be set")
	}
	return o, nil
}

type jsonToXML struct {
	xmlOptions
	root   string
	fields map[string]*conn
}

func newJSONToXML(m map[string]any, fields map[string]*conn, fail func(string, string, ...any) error) (executor, error) {
	o, err := readXMLOptions(m, fail)
	if err != nil {
		return nil, err
	}
	j := &jsonToXML{xmlOptions: o, fields: fields}
	j.root, _ = m["root_element_name"].(string)
	return j, nil
}

func (j *jsonToXML) run(_ context.Context, _ *Run, in input) (any, error) {
	v := in.self
	if !in.hasSelf && len(j.fields) > 0 {
		obj := map[string]any{}
		for k := range j.fields {
			obj[k] = in.fields[k]
		}
		v = obj
	}
	if s, ok := v.(string); ok {
		var err error
		if v, err = decodeJSON([]byte(s)); err != nil {
			return nil, fmt.Errorf("input is not JSON: %w", err)
		}
	}
	var sb strings.Builder
	if j.root != "" {
		if err := j.element(&sb, j.root, v); err != nil {
			return nil, err
		}
		return sb.String(), nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected an object (or set root_element_name), got %s", typeName(v))
	}
	for _, k := range sortedKeys(m) {
		if err := j.element(&sb, k, m[k]); err != nil {
			return nil, err
		}
	}
	return sb.String(), nil
}

func (j *jsonToXML) element(sb *strings.Builder, name string, v any) error {
	if arr, ok := v.([]any); ok && len(arr) > 0 { // an array is the element repeated
		for _, e := range arr {
			if err := j.element(sb, name, e); err != nil {
				return err
			}
		}
		return nil
	}
	if !validXMLName(name) {
		return fmt.Errorf("%q is not a valid XML element name", name)
	}
	sb.WriteString("<" + name)
	m, isObj := v.(map[string]any)
	var children []string
	text, hasText := "", false
	if isObj {
		if attrs, ok := m[j.attrBlock].(map[string]any); ok && j.attrBlock != "" {
			for _, k := range sortedKeys(attrs) {
				s, _ := scalarString(attrs[k])
				writeAttr(sb, k, s)
			}
		}
		for _, k := range sortedKeys(m) {
			switch {
			case j.attrBlock != "" && k == j.attrBlock:
			case j.attrPrefix != "" && strings.HasPrefix(k, j.attrPrefix):
				s, _ := scalarString(m[k])
				writeAttr(sb, strings.TrimPrefix(k, j.attrPrefix), s)
			case k == j.textBlock:
				text, hasText = xmlText(m[k]), true
			default:
				children = append(children, k)
			}
		}
	} else if arr, ok := v.([]any); !ok || len(arr) > 0 {
		text, hasText = xmlText(v), true
	}
	sb.WriteString(">")
	if hasText {
		_ = xml.EscapeText(stringWriter{sb}, []byte(text))
	}
	for _, k := range children {
		if err := j.element(sb, k, m[k]); err != nil {
			return err
		}
	}
	sb.WriteString("</" + name + ">")
	return nil
}

func xmlText(v any) string {
	if v == nil {
		return "null"
	}
	if s, ok := scalarString(v); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func writeAttr(sb *strings.Builder, name, value string) {
	sb.WriteString(" " + name + `="`)
	_ = xml.EscapeText(stringWriter{sb}, []byte(value))
	sb.WriteString(`"`)
}

type stringWriter struct{ sb *strings.Builder }

func (w stringWriter) Write(p []byte) (int, error) { return w.sb.Write(p) }

func validXMLName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || r == ':' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || r > 0x7f
		if i > 0 {
			ok = ok || r == '-' || r == '.' || (r >= '0' && r <= '9')
		}
		if !ok {
			return false
		}
	}
	return true
}

type xmlToJSON struct {
	xmlOptions
	recognize bool
	textProp  bool
	xpath     *xpath.Expr
}

func newXMLToJSON(m map[string]any, fail func(string, string, ...any) error) (executor, error) {
	o, err := readXMLOptions(m, fail)
	if err != nil {
		return nil, err
	}
	x := &xmlToJSON{xmlOptions: o, recognize: m["recognize_type"].(bool), textProp: m["text_as_property"].(bool)}
	if s, ok := m["xpath"].(string); ok {
		if x.xpath, err = xpath.Compile(s); err != nil {
			return nil, fail("xpath", "invalid XPath expression: %v", err)
		}
	}
	return x, nil
}

func (x *xmlToJSON) run(_ context.Context, _ *Run, in input) (any, error) {
	s, ok := in.self.(string)
	if !ok {
		return nil, fmt.Errorf("expected an XML string, got %s", typeName(in.self))
	}
	doc, err := xmlquery.Parse(strings.NewReader(s))
	if err != nil {
		return nil, fmt.Errorf("invalid XML: %w", err)
	}
	var selected []*xmlquery.Node
	if x.xpath != nil {
		selected = xmlquery.QuerySelectorAll(doc, x.xpath)
	} else {
		for c := doc.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == xmlquery.ElementNode {
				selected = append(selected, c)
			}
		}
	}
	out := map[string]any{}
	for _, n := range selected {
		switch n.Type {
		case xmlquery.ElementNode:
			addChild(out, elementName(n), x.element(n))
		default: // an attribute or text the XPath selected
			addChild(out, elementName(n), x.scalar(n.InnerText()))
		}
	}
	return out, nil
}

func elementName(n *xmlquery.Node) string {
	if n.Prefix != "" {
		return n.Prefix + ":" + n.Data
	}
	return n.Data
}

// addChild sets obj[name], turning a repeated name into an array.
func addChild(obj map[string]any, name string, v any) {
	old, exists := obj[name]
	switch {
	case !exists:
		obj[name] = v
	default:
		if arr, ok := old.([]any); ok {
			obj[name] = append(arr, v)
		} else {
			obj[name] = []any{old, v}
		}
	}
}

func (x *xmlToJSON) element(n *xmlquery.Node) any {
	obj := map[string]any{}
	var attrs map[string]any
	for _, a := range n.Attr {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
			continue
		}
		name := a.Name.Local
		if a.Name.Space != "" {
			name = a.Name.Space + ":" + name
		}
		switch {
		case x.attrBlock != "":
			if attrs == nil {
				attrs = map[string]any{}
			}
			attrs[name] = x.scalar(a.Value)
		case x.attrPrefix != "":
			obj[x.attrPrefix+name] = x.scalar(a.Value)
		}
	}
	if attrs != nil {
		obj[x.attrBlock] = attrs
	}
	var text strings.Builder
	hasChildren := false
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case xmlquery.ElementNode:
			hasChildren = true
			addChild(obj, elementName(c), x.element(c))
		case xmlquery.TextNode, xmlquery.CharDataNode:
			text.WriteString(c.Data)
		}
	}
	t := strings.TrimSpace(text.String())
	if len(obj) == 0 && !hasChildren && !x.textProp {
		if t == "" {
			return map[string]any{} // an empty element is an empty object
		}
		return x.scalar(t)
	}
	if t != "" {
		obj[x.textBlock] = x.scalar(t)
	}
	return obj
}

// scalar is a text as JSON: with recognize_type, numbers, booleans and null are typed.
func (x *xmlToJSON) scalar(s string) any {
	if !x.recognize {
		return s
	}
	switch s {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	if len(s) > 0 && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) {
		var f float64
		if err := json.Unmarshal([]byte(s), &f); err == nil {
			return f
		}
	}
	return s
}
