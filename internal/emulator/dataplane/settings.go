package dataplane

import (
	"fmt"
	"net/netip"
	"strings"
)

// Settings are a node's kong.conf settings that the emulator takes, the same for every proxy
// of an emulator.
type Settings struct {
	// TrustedIPs are the addresses whose X-Forwarded-* headers are believed and whose
	// RealIPHeader gives the client's address (kong.conf trusted_ips; none by default).
	TrustedIPs []netip.Prefix
	// RealIPHeader is where a trusted peer puts the client's address (real_ip_header;
	// X-Real-IP by default); RealIPRecursive skips trusted addresses from its right end
	// (real_ip_recursive).
	RealIPHeader    string
	RealIPRecursive bool
	// AllowDebugHeader answers Kong-Debug requests with Kong-Route-Id, Kong-Route-Name,
	// Kong-Service-Id and Kong-Service-Name (allow_debug_header).
	AllowDebugHeader bool
	// RequestDebug turns on X-Kong-Request-Debug (request_debug, on in Kong by default);
	// RequestDebugToken is what a client that is not on loopback must send in
	// X-Kong-Request-Debug-Token (request_debug_token).
	RequestDebug      bool
	RequestDebugToken string
	// Traces receives a trace of every request; nil keeps none.
	Traces *TraceLog
}

// ParseTrustedIPs reads kong.conf's trusted_ips: addresses and CIDR ranges, comma-separated
// or as a list; "unix:" (trusting unix sockets, which the proxy does not listen on) is taken
// and has no effect.
func ParseTrustedIPs(values []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			if s == "" || s == "unix:" {
				continue
			}
			list, err := parseIPList([]string{s})
			if err != nil {
				return nil, fmt.Errorf("trusted_ips: %w", err)
			}
			out = append(out, list...)
		}
	}
	return out, nil
}

// trusted tells whether an address is in trusted_ips.
func (s *Settings) trusted(a netip.Addr) bool {
	return len(s.TrustedIPs) > 0 && a.IsValid() && containsIP(s.TrustedIPs, a.Unmap())
}

// realIP is the client's address as nginx's realip module finds it, given the peer that
// connected and the values of the real-IP header: only a trusted peer is believed; the last
// address of the header is taken, and with real_ip_recursive the addresses are walked from
// the right for as long as they are trusted (the leftmost is taken when all are). A value
// that is not an address stops the walk with what was found so far.
func (s *Settings) realIP(peer netip.Addr, values []string) (netip.Addr, bool) {
	if !s.trusted(peer) || len(values) == 0 {
		return peer, false
	}
	var items []string
	for _, v := range values {
		items = append(items, strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })...)
	}
	addr, found := peer, false
	for i := len(items) - 1; i >= 0; i-- {
		if found && !s.trusted(addr) {
			break
		}
		a, ok := parseForwardedAddr(items[i])
		if !ok {
			break
		}
		addr, found = a, true
		if !s.RealIPRecursive {
			break
		}
	}
	return addr, found
}

// parseForwardedAddr reads an address with an optional port ("1.2.3.4", "1.2.3.4:80",
// "[::1]:80", "::1").
func parseForwardedAddr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(unbracket(s)); err == nil {
		return a.WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone(""), true
	}
	return netip.Addr{}, false
}
