package mesh

import (
	"regexp"
	"strings"
)

// Kuma's rules for names: resource names may hold dots, mesh names may not; both are at most
// 253 characters.
var (
	resourceNameRe = regexp.MustCompile(`^[0-9a-z-_.]*$`)
	meshNameRe     = regexp.MustCompile(`^[0-9a-z-_]*$`)
	// labelKeyRe is a Kubernetes qualified name: an optional DNS-subdomain prefix and a name.
	labelNameRe   = regexp.MustCompile(`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`)
	labelPrefixRe = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	labelValueRe  = regexp.MustCompile(`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`)
)

const maxNameLength = 253

const (
	msgCannotBeEmpty    = "cannot be empty"
	msgNameTooLong      = "value length must less or equal 253"
	msgResourceNameChar = "invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_', '.' symbols."
	msgMeshNameChar     = "invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_' symbols."
	msgLabelName        = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
	msgLabelPrefix      = "prefix part must be a lowercase RFC 1123 subdomain"
	msgLabelValue       = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
	msgLabelValueLength = "must be no more than 63 characters"
)

// Meta is what every resource carries besides its spec.
type Meta struct {
	Type   string
	Name   string
	Mesh   string // empty for a Mesh
	Labels map[string]string
}

// ValidateMeta checks a resource's type, name, mesh and labels against the URL it was sent
// to, as Kuma does before it looks at the resource itself.
func (k *Kind) ValidateMeta(urlMesh, urlName string, m Meta) Violations {
	var v Violations
	if m.Name != urlName {
		v.add("name", "name from the URL has to be the same as in body")
	}
	if m.Type != k.Type {
		v.add("type", "type from the URL has to be the same as in body")
	}
	if k.MeshScoped && m.Mesh != urlMesh {
		v.add("mesh", "mesh from the URL has to be the same as in body")
	}
	for _, key := range sortedKeys(m.Labels) {
		at := Path("labels").Key(key)
		for _, msg := range labelKeyProblems(key) {
			v.add(at.String(), msg)
		}
		if val := m.Labels[key]; len(val) > 63 {
			v.add(at.String(), msgLabelValueLength)
		} else if !labelValueRe.MatchString(val) {
			v.add(at.String(), msgLabelValue)
		}
	}
	if k == Meshes {
		v = append(v, validateIdentifier("name", m.Name, meshNameRe, msgMeshNameChar)...)
	} else {
		v = append(v, validateIdentifier("name", m.Name, resourceNameRe, msgResourceNameChar)...)
	}
	return v
}

// ValidateName checks a name from a URL (a mesh's or a resource's) the way ValidateMeta
// checks the body's.
func (k *Kind) ValidateName(name string) Violations {
	if k == Meshes {
		return validateIdentifier("name", name, meshNameRe, msgMeshNameChar)
	}
	return validateIdentifier("name", name, resourceNameRe, msgResourceNameChar)
}

func validateIdentifier(field, value string, re *regexp.Regexp, charMsg string) Violations {
	var v Violations
	switch {
	case value == "":
		v.add(field, msgCannotBeEmpty)
	case len(value) > maxNameLength:
		v.add(field, msgNameTooLong)
	case !re.MatchString(value):
		v.add(field, charMsg)
	}
	return v
}

func labelKeyProblems(key string) []string {
	name := key
	var out []string
	if prefix, rest, ok := strings.Cut(key, "/"); ok {
		name = rest
		if prefix == "" || len(prefix) > 253 || !labelPrefixRe.MatchString(prefix) {
			out = append(out, msgLabelPrefix)
		}
	}
	if name == "" || len(name) > 63 || !labelNameRe.MatchString(name) {
		out = append(out, msgLabelName)
	}
	return out
}
