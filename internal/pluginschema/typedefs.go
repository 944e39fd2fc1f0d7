package pluginschema

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Field builders shared by several plugins, after Kong's typedefs (kong/db/schema/typedefs.lua)
// and its Redis record (kong/tools/redis/schema.lua). Each call returns a new *Field, so a
// plugin may adjust its copy.

// httpProtocols are the protocols of plugins that act on HTTP traffic, sorted as Kong sorts
// them (typedefs.protocols_http).
var httpProtocols = []string{"grpc", "grpcs", "http", "https"}

func ptr[T any](v T) *T { return &v }

// headerName is a string that must be a valid HTTP header name.
func headerName(description string) *Field {
	return &Field{Type: TypeString, Description: description, Validator: validateHeaderName}
}

// hostField is a host name or IP address without a port.
func hostField(description string) *Field {
	return &Field{Type: TypeString, Description: description, Validator: validateHost}
}

// sniField is a host name (not an IP address) without a port, as sent in TLS SNI.
func sniField(description string) *Field {
	return &Field{Type: TypeString, Description: description, Validator: validateSNI}
}

// portField is a TCP port number.
func portField(description string) *Field {
	return &Field{Type: TypeInteger, Description: description, Between: &[2]float64{0, 65535}}
}

// timeoutField is a duration in milliseconds that fits nginx's timers.
func timeoutField(description string) *Field {
	return &Field{Type: TypeInteger, Description: description, Between: &[2]float64{0, 1<<31 - 2}}
}

// pathField is an absolute URL path.
func pathField(description string) *Field {
	return &Field{Type: TypeString, Description: description, StartsWith: "/", Validator: validatePath}
}

// redisRecord is the Redis connection settings shared by the plugins that count or cache in
// Redis (Kong's "redis-ce" partial, Kong Gateway 3.15).
func redisRecord(description string) *Field {
	host := hostField("Host name or IP address of the Redis server. Required when the plugin uses Redis.")
	host.Referenceable = true
	port := portField("TCP port of the Redis server.")
	port.Default = int64(6379)
	port.Referenceable = true
	serverName := sniField("Server name to send in the TLS handshake (SNI) when `ssl` is on.")
	serverName.Referenceable = true
	return &Field{
		Name: "redis", Type: TypeRecord, Required: true, Description: description,
		Fields: []*Field{
			named("host", host),
			named("port", port),
			named("timeout", withDefault(timeoutField("How long, in milliseconds, to wait when connecting to, "+
				"reading from or writing to Redis."), int64(2000))),
			{Name: "username", Type: TypeString, Referenceable: true,
				Description: "User name for Redis ACL authentication (Redis 6 and later). Leave unset to skip ACL " +
					"authentication; use `default` for servers that only have a password."},
			{Name: "password", Type: TypeString, AllowEmpty: true, Sensitive: true, Encrypted: true, Referenceable: true,
				Description: "Password for Redis authentication. Leave unset to send no `AUTH` command."},
			{Name: "database", Type: TypeInteger, Default: int64(0),
				Description: "Number of the Redis logical database to use."},
			{Name: "ssl", Type: TypeBoolean, Default: false,
				Description: "Connect to Redis over TLS."},
			// Konnect returns false, as its Terraform provider and SDK expect; the Kong 3.15
			// reference schema (and the redis-ce partial in Konnect's spec) say true.
			{Name: "ssl_verify", Type: TypeBoolean, Default: false,
				Description: "Check the Redis server's TLS certificate. The gateway needs the issuing CA among its " +
					"trusted certificates (`lua_ssl_trusted_certificate`)."},
			named("server_name", serverName),
			cloudAuthentication(),
		},
	}
}

// cloudAuthentication is the optional IAM-style login to a cloud provider's managed Redis.
// It is null unless given: Kong's reference schema gives it no `required` flag and it only
// makes sense with an auth_provider (UNCONFIRMED against a live control plane).
func cloudAuthentication() *Field {
	secret := func(name, description string) *Field {
		return &Field{Name: name, Type: TypeString, Sensitive: true, Encrypted: true, Referenceable: true, Description: description}
	}
	encrypted := func(name, description string) *Field {
		return &Field{Name: name, Type: TypeString, Encrypted: true, Referenceable: true, Description: description}
	}
	plain := func(name, description string) *Field {
		return &Field{Name: name, Type: TypeString, Referenceable: true, Description: description}
	}
	return &Field{
		Name: "cloud_authentication", Type: TypeRecord,
		Description: "Log in to a cloud provider's managed Redis with the provider's own credentials " +
			"instead of a static password.",
		Fields: []*Field{
			{Name: "auth_provider", Type: TypeString, Enum: []string{"aws", "azure", "gcp"}, Referenceable: true,
				Description: "Which cloud provider issues the Redis credentials: `aws`, `azure` or `gcp`."},
			encrypted("aws_access_key_id", "AWS access key ID used to sign ElastiCache IAM tokens (`aws` only)."),
			encrypted("aws_assume_role_arn", "ARN of an IAM role to assume before generating ElastiCache tokens (`aws` only)."),
			plain("aws_cache_name", "Name of the ElastiCache cache or replication group (`aws` only)."),
			{Name: "aws_is_serverless", Type: TypeBoolean, Default: true,
				Description: "Whether the ElastiCache cache is serverless (`aws` only)."},
			plain("aws_region", "AWS region of the ElastiCache cache (`aws` only)."),
			encrypted("aws_role_session_name", "Session name used when assuming `aws_assume_role_arn` (`aws` only)."),
			secret("aws_secret_access_key", "AWS secret access key paired with `aws_access_key_id` (`aws` only)."),
			encrypted("azure_client_id", "Client ID of the Azure identity that logs in to Azure Cache for Redis (`azure` only)."),
			secret("azure_client_secret", "Client secret of that Azure identity (`azure` only)."),
			encrypted("azure_tenant_id", "Azure tenant of that identity (`azure` only)."),
			secret("gcp_service_account_json", "Google Cloud service account key, as JSON, used to log in to Memorystore (`gcp` only)."),
		},
	}
}

func named(name string, f *Field) *Field {
	f.Name = name
	return f
}

func withDefault(f *Field, v any) *Field {
	f.Default = v
	return f
}

var headerNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// validateHeaderName is Kong's utils.validate_header_name.
func validateHeaderName(v any) string {
	s := v.(string)
	if !headerNamePattern.MatchString(s) {
		return "bad header name '" + s + "', allowed characters are A-Z, a-z, 0-9, '_', and '-'"
	}
	return ""
}

// validateHost is Kong's typedefs.host check: a host name or IP address, without a port.
func validateHost(v any) string {
	s := v.(string)
	_, hasPort, err := parseHost(s)
	switch {
	case errors.Is(err, errHostPort):
		return "must not have a port"
	case err != nil:
		return "invalid value: " + s
	case hasPort:
		return "must not have a port"
	}
	return ""
}

// validateSNI is Kong's typedefs.sni check: a host name, not an IP address, without a port.
func validateSNI(v any) string {
	s := v.(string)
	kind, hasPort, err := parseHost(s)
	switch {
	case err != nil && !errors.Is(err, errHostPort):
		return "invalid value: " + s
	case err == nil && kind != "name":
		return "must not be an IP"
	case err != nil || hasPort:
		return "must not have a port"
	}
	return ""
}

var (
	errHostPort = errors.New("invalid port number")
	errHost     = errors.New("invalid host")

	ipv4Pattern    = regexp.MustCompile(`^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?::(\d+))?$`)
	ipv6Pattern    = regexp.MustCompile(`^[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){7}$`)
	hostnameChars  = regexp.MustCompile(`^[0-9A-Za-z._-]+$`)
	trailingPort   = regexp.MustCompile(`:(\d+)$`)
	bracketedIPv6  = regexp.MustCompile(`^\[([^\]]*)\](.*)$`)
	digitsOnlyPort = regexp.MustCompile(`^:(\d+)$`)
	digitsAndDots  = regexp.MustCompile(`^[\d.]+$`)
)

// parseHost follows Kong's normalize_ip (kong/tools/ip.lua): it classifies s as "ipv4",
// "ipv6" or "name" and tells whether it carries a port. errHostPort stands for a port above
// 65535, which Kong reports apart from other malformed hosts.
func parseHost(s string) (kind string, hasPort bool, err error) {
	noColons := strings.ReplaceAll(s, ":", "")
	switch {
	case len(s)-len(noColons) > 1:
		hasPort, err := parseIPv6(s)
		return "ipv6", hasPort, err
	case digitsAndDots.MatchString(noColons):
		m := ipv4Pattern.FindStringSubmatch(s)
		if m == nil || (strings.Contains(s, ":") && m[5] == "") {
			return "ipv4", false, errHost
		}
		for _, octet := range m[1:5] {
			if n, _ := strconv.Atoi(octet); n > 255 {
				return "ipv4", false, errHost
			}
		}
		if m[5] != "" {
			return "ipv4", true, checkPort(m[5])
		}
		return "ipv4", false, nil
	}
	name := s
	if m := trailingPort.FindStringSubmatch(s); m != nil {
		name = s[:len(s)-len(m[0])]
		if err := checkPort(m[1]); err != nil {
			return "name", true, err
		}
		hasPort = true
	}
	if !hostnameChars.MatchString(name) {
		return "name", hasPort, errHost
	}
	// No label may end with a dash, and only the last may be empty (a fully qualified name).
	labels := strings.Split(name, ".")
	for i, label := range labels {
		if strings.HasSuffix(label, "-") || (label == "" && i != len(labels)-1) {
			return "name", hasPort, errHost
		}
	}
	return "name", hasPort, nil
}

func parseIPv6(s string) (hasPort bool, err error) {
	addr := s
	if m := bracketedIPv6.FindStringSubmatch(s); m != nil {
		addr = m[1]
		if m[2] != "" {
			pm := digitsOnlyPort.FindStringSubmatch(m[2])
			if pm == nil {
				return false, errHost
			}
			if err := checkPort(pm[1]); err != nil {
				return true, err
			}
			hasPort = true
		}
	}
	if strings.HasPrefix(addr, ":") {
		addr = "0" + addr
	}
	if strings.HasSuffix(addr, ":") {
		addr += "0"
	}
	if strings.Contains(addr, "::") {
		fill := ":" + strings.Repeat("0:", max(0, 8-strings.Count(addr, ":")))
		addr = strings.Replace(addr, "::", fill, 1)
	}
	if !ipv6Pattern.MatchString(addr) {
		return hasPort, errHost
	}
	return hasPort, nil
}

func checkPort(digits string) error {
	if n, err := strconv.Atoi(digits); err != nil || n > 65535 {
		return errHostPort
	}
	return nil
}

var (
	pathChars   = regexp.MustCompile(`^/[A-Za-z0-9._~/%:@!$&'()*+,;=-]*$`)
	percentHex  = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)
	strayEscape = regexp.MustCompile(`(?s)%.{0,2}`)
)

// validatePath is the rest of Kong's typedefs.path check, after the leading slash: no empty
// segment, only RFC 3986 characters, and well-formed percent-escapes.
func validatePath(v any) string {
	s := v.(string)
	if strings.Contains(s, "//") {
		return "must not have empty segments"
	}
	if !pathChars.MatchString(s) {
		return "invalid path: '" + s + "' (characters outside of the reserved list of RFC 3986 found)"
	}
	if raw := percentHex.ReplaceAllString(s, "___"); strings.Contains(raw, "%") {
		return "invalid url-encoded value: '" + strayEscape.FindString(raw) + "'"
	}
	return ""
}

// colonPair is the shape of a "name:value" entry in the transformer plugins' lists (Kong's
// `match = "^[^:]+:.*$"`, where `.` also matches a newline).
const colonPair = `(?s)^[^:]+:.*$`

// splitPair splits a "name:value" entry as Kong's transformers do (the Lua pattern
// `^([^:]+):*(.-)$`): the name runs up to the first colon and the value starts after the
// last of the colons that follow it. ok is false when the entry starts with a colon.
func splitPair(s string) (name, value string, ok bool) {
	i := strings.IndexByte(s, ':')
	switch {
	case i == 0:
		return "", "", false
	case i < 0:
		return s, "", true
	}
	return s[:i], strings.TrimLeft(s[i:], ":"), true
}

// headerRenameList is a list of "old:new" entries, both header names (the transformers'
// rename.headers).
func headerRenameList(description string) *Field {
	return &Field{
		Type: TypeArray, Required: true, Default: []any{}, Description: description,
		Elements: &Field{Type: TypeString, Match: colonPair, Validator: validateHeaderRename,
			Description: "`old:new`: the header to rename and its new name."},
	}
}

// headerValueList is a list of "name:value" header entries (the transformers' add, append
// and replace headers).
func headerValueList(description string) *Field {
	return &Field{
		Type: TypeArray, Required: true, Default: []any{}, Description: description,
		Elements: &Field{Type: TypeString, Match: colonPair, Validator: validateHeaderValuePair,
			Description: "`name:value`: a header name and its value."},
	}
}

func notAHeader(s string) string {
	return "'" + s + "' is not a valid header"
}

// validateHeaderRename checks both halves of "old:new" as header names.
func validateHeaderRename(v any) string {
	name, value, _ := splitPair(v.(string)) // the entry already matched colonPair
	if validateHeaderName(name) != "" {
		return notAHeader(name)
	}
	if validateHeaderName(value) != "" {
		return notAHeader(value)
	}
	return ""
}

// validateHeaderValuePair checks the name of "name:value" as a header name and the value as
// a header value.
//
// The value check follows the newest Kong source, which calls kong.tools.http's
// validate_header_value; that function's text was not available, so this one refuses what
// RFC 9110 refuses in a field value (control characters other than a tab, and DEL) and lets
// an empty value through (UNCONFIRMED). Kong 3.10 did not check values at all.
func validateHeaderValuePair(v any) string {
	name, value, _ := splitPair(v.(string))
	if validateHeaderName(name) != "" {
		return notAHeader(name)
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return notAHeader(value)
		}
	}
	return ""
}

// IntegerOneOf is the validator of an integer that may take only the given values (Kong's
// `one_of` on an integer field).
func IntegerOneOf(values ...int64) func(any) string {
	return func(v any) string {
		if slices.Contains(values, v.(int64)) {
			return ""
		}
		parts := make([]string, len(values))
		for i, x := range values {
			parts[i] = strconv.FormatInt(x, 10)
		}
		return fmt.Sprintf(fmtOneOf, strings.Join(parts, ", "))
	}
}
