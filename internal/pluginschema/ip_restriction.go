package pluginschema

import (
	"net/netip"
	"strconv"
	"strings"
)

// ipRestriction lets in or keeps out clients by their IP address (Kong Gateway 3.15).
var ipRestriction = &Plugin{
	Name:     "ip-restriction",
	Priority: 990,
	// The plugin also guards TCP and TLS streams, and Kong 3.15 lets any protocol be listed.
	Protocols: []string{"grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp", "ws", "wss"},
	// Kong's source order; 3.15's reference schema sorts the same six values, as it sorts
	// every list.
	DefaultProtocols: []string{"http", "https", "tcp", "tls", "grpc", "grpcs"},
	Config: []*Field{
		{
			Name: "allow", Type: TypeArray,
			Description: "Addresses or CIDR ranges allowed in; any other client is refused. Set `allow`, " +
				"`deny` or both; a client in both lists is refused.",
			Elements: ipOrCIDR(),
		},
		{
			Name: "deny", Type: TypeArray,
			Description: "Addresses or CIDR ranges refused. Set `allow`, `deny` or both.",
			Elements:    ipOrCIDR(),
		},
		{
			Name: "status", Type: TypeNumber,
			Description: "HTTP status of the answer to a refused request. Leave unset for `403`.",
		},
		{
			Name: "message", Type: TypeString,
			Description: "Message in the body of the answer to a refused request. Leave unset for " +
				"`Your IP address is not allowed`.",
		},
	},
	Checks: []EntityCheck{
		// Kong 3.x accepts both lists together; older gateways (whitelist and blacklist) did not.
		{AtLeastOneOf: []string{"config.allow", "config.deny"}},
	},
}

// ipOrCIDR is Kong's typedefs.ip_or_cidr.
func ipOrCIDR() *Field {
	return &Field{Type: TypeString, Validator: validateIPOrCIDR,
		Description: "An IPv4 or IPv6 address, such as `10.0.0.7`, or a CIDR range, such as `10.0.0.0/8`."}
}

// validateIPOrCIDR is Kong's check of typedefs.ip_or_cidr (kong/tools/ip.lua is_valid_ip_or_cidr).
func validateIPOrCIDR(v any) string {
	s := v.(string)
	if isIPv4(s) || isIPv6(s) || isCIDR(s, isIPv4, 32) || isCIDR(s, isIPv6, 128) {
		return ""
	}
	return "invalid ip or cidr range: '" + s + "'"
}

// isIPv4 is inet_pton(AF_INET): four decimal octets, without leading zeros.
func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// isIPv6 is inet_pton(AF_INET6) after dropping surrounding brackets, as lua-resty-ipmatcher
// does: no zone, an embedded IPv4 address allowed.
func isIPv6(s string) bool {
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	if strings.Contains(s, "%") {
		return false
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6()
}

// isCIDR splits at the first slash from the third character on, as Kong does, and needs a
// prefix length written in plain decimal, from 0 to max.
func isCIDR(s string, isAddr func(string) bool, max int) bool {
	if len(s) < 3 {
		return false
	}
	slash := strings.IndexByte(s[2:], '/')
	if slash < 0 {
		return false
	}
	addr, prefix := s[:2+slash], s[2+slash+1:]
	n, err := strconv.Atoi(prefix)
	return err == nil && n >= 0 && n <= max && strconv.Itoa(n) == prefix && isAddr(addr)
}

func init() { Register(ipRestriction) }
