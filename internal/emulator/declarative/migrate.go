package declarative

import (
	"regexp"
	"strconv"
	"strings"
)

// Files of _format_version 1.1 and 2.1 come from Kong 2.x, whose route paths were regexes
// whenever they had a character outside a plain path's; Kong 3 reads them with such a path
// marked "~" (a regex) and a plain path's escaped unreserved characters decoded.

// plainPath is what Kong takes for a path that is not a regex.
var plainPath = regexp.MustCompile(`^[a-zA-Z0-9.\-_~/%]*$`)

// migratePaths rewrites a route's paths from a 1.1 or 2.1 file as Kong 3 reads them.
func migratePaths(route map[string]any) {
	paths, ok := route["paths"].([]any)
	if !ok {
		return
	}
	out := make([]any, len(paths))
	for i, p := range paths {
		s, ok := p.(string)
		switch {
		case !ok:
			out[i] = p
		case plainPath.MatchString(s):
			out[i] = decodeUnreserved(s)
		default:
			out[i] = "~" + s
		}
	}
	route["paths"] = out
}

// decodeUnreserved decodes %XX triplets of unreserved characters (letters, digits, - . _ ~)
// and writes the others' hex digits in upper case.
func decodeUnreserved(path string) string {
	if !strings.Contains(path, "%") {
		return path
	}
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		if path[i] != '%' || i+2 >= len(path) {
			b.WriteByte(path[i])
			continue
		}
		n, err := strconv.ParseUint(path[i+1:i+3], 16, 8)
		if err != nil {
			b.WriteByte(path[i])
			continue
		}
		c := byte(n)
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(path[i+1:i+3]))
		}
		i += 2
	}
	return b.String()
}
