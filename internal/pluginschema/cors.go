package pluginschema

import (
	"regexp"
	"strconv"
	"strings"
)

// corsMethods are the methods the plugin may allow, in Kong's order. Kong 3.15's reference
// schema lists them (and the default) alphabetically, as it lists every enum; the gateway
// keeps its source order, which shows in its message and in the Access-Control-Allow-Methods
// header built from the default.
var corsMethods = []string{"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"}

// cors answers CORS preflight requests and adds the CORS headers to responses (Kong Gateway
// 3.15).
var cors = &Plugin{
	Name:             "cors",
	Priority:         2000,
	Protocols:        httpProtocols,
	DefaultProtocols: httpProtocols,
	// Kong's no_consumer: the plugin runs before any consumer is known. Kong 3.15 does not
	// offer it a consumer_group either.
	NoConsumer:      true,
	NoConsumerGroup: true,
	Config: []*Field{
		{
			Name: "origins", Type: TypeArray,
			Description: "Origins allowed to make cross-origin requests. Each entry is an exact origin " +
				"such as `https://app.example.com` or a PCRE regular expression matched against the " +
				"whole `Origin` header; `*` allows any origin, as does leaving the list unset or empty.",
			Elements: &Field{Type: TypeString, Validator: validateOrigin,
				Description: "An origin, a regular expression, or `*`."},
		},
		{
			Name: "headers", Type: TypeArray,
			Description: "Value of `Access-Control-Allow-Headers` in preflight answers. Leave unset to " +
				"allow whatever the preflight asks for in `Access-Control-Request-Headers`.",
			Elements: &Field{Type: TypeString, Description: "A header name."},
		},
		{
			Name: "exposed_headers", Type: TypeArray,
			Description: "Value of `Access-Control-Expose-Headers`: response headers the browser may show " +
				"to the calling script. Leave unset to expose none beyond the defaults.",
			Elements: &Field{Type: TypeString, Description: "A header name."},
		},
		{
			Name: "methods", Type: TypeArray, Default: toAny(corsMethods),
			Description: "Value of `Access-Control-Allow-Methods` in preflight answers. All methods by " +
				"default.",
			Elements: &Field{Type: TypeString, Enum: corsMethods,
				Description: "`GET`, `HEAD`, `PUT`, `PATCH`, `POST`, `DELETE`, `OPTIONS`, `TRACE` or `CONNECT`."},
		},
		{
			Name: "max_age", Type: TypeNumber,
			Description: "How long, in seconds, a browser may cache a preflight answer " +
				"(`Access-Control-Max-Age`). Leave unset to send no such header.",
		},
		{
			Name: "credentials", Type: TypeBoolean, Required: true, Default: false,
			Description: "Send `Access-Control-Allow-Credentials: true`, letting browsers include cookies " +
				"and other credentials. With `*` origins, the request's origin is echoed instead of `*`.",
		},
		{
			Name: "private_network", Type: TypeBoolean, Required: true, Default: false,
			Description: "Answer `Access-Control-Allow-Private-Network: true` to preflights that ask to " +
				"reach a private network.",
		},
		{
			Name: "preflight_continue", Type: TypeBoolean, Required: true, Default: false,
			Description: "Proxy preflight (`OPTIONS`) requests to the upstream service instead of " +
				"answering them at the gateway.",
		},
		{
			Name: "allow_origin_absent", Type: TypeBoolean, Required: true, Default: true,
			Description: "Add the CORS headers to responses even when the request has no `Origin` " +
				"header.",
		},
	},
}

func toAny(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// validateOrigin is Kong's check of an origin: `*` or a regular expression PCRE compiles.
func validateOrigin(v any) string {
	s := v.(string)
	if s == "*" || pcreCompiles(s) {
		return ""
	}
	return "'" + s + "' is not a valid regex"
}

// pcreCompiles tells whether PCRE would compile the pattern. Go's RE2 syntax is nearly a
// subset of PCRE's; a pattern RE2 refuses is tried again with the PCRE-only constructs
// replaced by RE2 ones of the same shape (lookarounds, atomic groups, comments, back
// references, possessive quantifiers, large repeat counts, escapes RE2 lacks). This is an
// approximation of PCRE's syntax check, not a full one.
func pcreCompiles(pattern string) bool {
	if _, err := regexp.Compile(pattern); err == nil {
		return true
	}
	rewritten, ok := rewritePCRE(pattern)
	if !ok {
		return false
	}
	_, err := regexp.Compile(rewritten)
	return err == nil
}

var pcreRepeat = regexp.MustCompile(`^\{(\d+)(,(\d*))?\}`)

// rewritePCRE replaces the PCRE constructs RE2 does not know; ok is false when the pattern
// is certainly not valid PCRE.
func rewritePCRE(s string) (string, bool) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return "", false // a trailing backslash
			}
			i++
			e := s[i]
			switch {
			case e == 'Q': // quoted text, which RE2 knows too
				end := strings.Index(s[i+1:], `\E`)
				if end < 0 {
					b.WriteString(s[i-1:])
					return b.String(), true
				}
				b.WriteString(s[i-1 : i+1+end+2])
				i += end + 2
			case e >= '1' && e <= '9': // a back reference
				for i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
					i++
				}
				b.WriteByte('x')
			case (e == 'g' || e == 'k' || e == 'o' || e == 'N') && i+1 < len(s) && strings.IndexByte("{<'", s[i+1]) >= 0:
				closer := map[byte]byte{'{': '}', '<': '>', '\'': '\''}[s[i+1]]
				end := strings.IndexByte(s[i+2:], closer)
				if end < 0 {
					return "", false
				}
				i += 2 + end
				b.WriteByte('x')
			case e == 'g': // \g1, \g-1, \g+1
				for i+1 < len(s) && strings.IndexByte("+-0123456789", s[i+1]) >= 0 {
					i++
				}
				b.WriteByte('x')
			case e == 'c': // a control character
				if i+1 >= len(s) {
					return "", false
				}
				i++
				b.WriteByte('x')
			case strings.IndexByte("hHVRXNKGZEeC", e) >= 0:
				b.WriteByte('x')
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		case inClass:
			if c == '[' && i+1 < len(s) && s[i+1] == ':' { // a POSIX class such as [:alpha:]
				if end := strings.Index(s[i:], ":]"); end > 0 {
					b.WriteString(s[i : i+end+2])
					i += end + 1
					continue
				}
			}
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
			if i+1 < len(s) && s[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(s) && s[i+1] == ']' { // a leading ] is a literal
				b.WriteByte(']')
				i++
			}
		case c == '(' && i+1 < len(s) && s[i+1] == '*': // a verb such as (*UTF8) or (*FAIL)
			end := strings.IndexByte(s[i:], ')')
			if end < 0 {
				return "", false
			}
			i += end
		case c == '(' && i+1 < len(s) && s[i+1] == '?':
			skip, out, ok := rewriteGroup(s[i+2:])
			if !ok {
				return "", false
			}
			b.WriteString(out)
			i += 1 + skip
		case c == '*' || c == '+' || c == '?':
			b.WriteByte(c)
			if i+1 < len(s) && s[i+1] == '+' { // possessive
				i++
			}
		case c == '{':
			m := pcreRepeat.FindStringSubmatch(s[i:])
			if m == nil {
				b.WriteByte(c) // not a quantifier: a literal brace
				continue
			}
			lo, errLo := strconv.Atoi(m[1])
			hi, errHi := lo, error(nil)
			if m[3] != "" {
				hi, errHi = strconv.Atoi(m[3])
			}
			if errLo != nil || errHi != nil || lo > 65535 || hi > 65535 || hi < lo {
				return "", false // PCRE: number too big, or out of order
			}
			b.WriteString("{" + strconv.Itoa(min(lo, 1000)) + m[2][:min(len(m[2]), 1)])
			if m[3] != "" {
				b.WriteString(strconv.Itoa(min(hi, 1000)))
			}
			b.WriteByte('}')
			i += len(m[0]) - 1
			if i+1 < len(s) && s[i+1] == '+' { // possessive
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// rewriteGroup rewrites the start of a group, rest being what follows "(?". It returns how
// many bytes of rest it consumed and what to write instead of "(?" and those bytes.
func rewriteGroup(rest string) (skip int, out string, ok bool) {
	for _, p := range []string{"<=", "<!", "=", "!", ">", "|"} { // lookarounds, atomic and branch-reset groups
		if strings.HasPrefix(rest, p) {
			return len(p), "(?:", true
		}
	}
	switch {
	case rest == "":
		return 0, "", false
	case rest[0] == '#': // a comment
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return 0, "", false
		}
		return end + 1, "", true
	case rest[0] == '\'': // a named group, (?'name'...)
		end := strings.IndexByte(rest[1:], '\'')
		if end < 0 {
			return 0, "", false
		}
		return end + 2, "(?:", true
	case rest[0] == '(': // a conditional group, (?(condition)yes|no)
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return 0, "", false
		}
		return end + 1, "(?:", true
	case strings.HasPrefix(rest, "P=") || strings.HasPrefix(rest, "P>") || rest[0] == '&' || rest[0] == 'R' ||
		rest[0] == '+' || (rest[0] >= '0' && rest[0] <= '9') || (rest[0] == '-' && len(rest) > 1 && rest[1] >= '0' && rest[1] <= '9'):
		// a back reference or a recursion
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return 0, "", false
		}
		return end + 1, "x", true
	}
	// Option settings: RE2 knows i, m, s and U; PCRE also has x, n, J and X.
	end := strings.IndexAny(rest, ":)")
	if end < 0 || strings.Trim(rest[:end], "imsxnJUX-") != "" {
		return 0, "(?", true // something else, such as a named group; RE2 decides
	}
	flags := strings.Map(func(r rune) rune {
		if strings.ContainsRune("imsU-", r) {
			return r
		}
		return -1
	}, rest[:end])
	if strings.Trim(flags, "-") == "" {
		if rest[end] == ':' {
			return end + 1, "(?:", true
		}
		return end + 1, "", true
	}
	return end + 1, "(?" + strings.TrimSuffix(flags, "-") + rest[end:end+1], true
}

func init() { Register(cors) }
