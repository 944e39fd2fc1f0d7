package dataplane

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// ip-restriction: refuses clients by address, deny list first, then the allow list.

func init() { RegisterTyped("ip-restriction", newIPRestriction) }

type ipRestrictionConfig struct {
	Allow   []string `json:"allow"`
	Deny    []string `json:"deny"`
	Status  float64  `json:"status"`
	Message string   `json:"message"`
}

type ipRestriction struct {
	allow, deny []netip.Prefix
	// invalid is set when a list entry does not parse (the schema should have refused it):
	// Kong's matcher then fails on every request, which answers 500.
	invalid bool
	status  int    // 0: 403
	message string // "": Kong's message with the client's address
}

func newIPRestriction(c ipRestrictionConfig, _ Instance) (Handler, error) {
	h := &ipRestriction{status: int(c.Status), message: c.Message}
	var err error
	if h.allow, err = parseIPList(c.Allow); err != nil {
		h.invalid = true
	}
	if h.deny, err = parseIPList(c.Deny); err != nil {
		h.invalid = true
	}
	return h, nil
}

// parseIPList reads addresses and CIDR ranges, IPv4 or IPv6 (bracketed or not); a range's
// host bits are ignored, as lua-resty-ipmatcher ignores them.
func parseIPList(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		if addr, bits, ok := strings.Cut(s, "/"); ok {
			p, err := netip.ParsePrefix(unbracket(addr) + "/" + bits)
			if err != nil || p.Addr().Zone() != "" {
				return nil, fmt.Errorf("invalid ip or cidr range %q: %w", s, err)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(unbracket(s))
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("invalid ip %q: %w", s, err)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func unbracket(s string) string {
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		return s[1 : len(s)-1]
	}
	return s
}

// containsIP matches an address against a list. An IPv4-mapped IPv6 address is IPv6 here, as
// it is for Kong's binary address matching.
func containsIP(list []netip.Prefix, a netip.Addr) bool {
	for _, p := range list {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (h *ipRestriction) Access(ctx *Context) {
	addr, err := netip.ParseAddr(ctx.ClientIP)
	if err != nil {
		ctx.Exit(http.StatusForbidden, "Cannot identify the client IP address, unix domain sockets are not supported.", nil)
		return
	}
	addr = addr.WithZone("") // nginx's address carries no zone
	if h.invalid {
		ctx.Exit(http.StatusInternalServerError, "", nil)
		return
	}
	denied, notAllowed := len(h.deny) > 0 && containsIP(h.deny, addr), len(h.allow) > 0 && !containsIP(h.allow, addr)
	if ctx.Tracing() {
		ctx.Decide(ipDecision(ctx, h, addr, denied, notAllowed))
	}
	if denied || notAllowed {
		h.refuse(ctx, addr)
	}
}

// ipDecision tells which address was checked (and where it came from) and against which list.
func ipDecision(ctx *Context, h *ipRestriction, addr netip.Addr, denied, notAllowed bool) string {
	who := "client " + addr.String()
	switch {
	case ctx.trace != nil && ctx.trace.ClientIPFrom != "":
		who += " (" + ctx.trace.ClientIPFrom + ")"
	case ctx.ClientIP != ctx.PeerIP:
		who += " (from the real-IP header of trusted peer " + ctx.PeerIP + ")"
	}
	switch {
	case denied:
		return who + " is in the deny list (" + prefixesText(h.deny) + ")"
	case notAllowed:
		return who + " is not in the allow list (" + prefixesText(h.allow) + ")"
	}
	return who + " may pass"
}

func (h *ipRestriction) refuse(ctx *Context, addr netip.Addr) {
	status, message := h.status, h.message
	if status == 0 {
		status = http.StatusForbidden
	}
	if message == "" {
		message = "IP address not allowed: " + addr.String()
	}
	if status < 400 || status > 599 {
		// kong.response.error takes error statuses only; anything else is a plugin error.
		ctx.Exit(http.StatusInternalServerError, "", nil)
		return
	}
	ctx.Exit(status, message, nil)
}

// prefixesText lists addresses and ranges as the config gives them (an address without /32).
func prefixesText(list []netip.Prefix) string {
	out := make([]string, len(list))
	for i, p := range list {
		if p.IsSingleIP() {
			out[i] = p.Addr().String()
		} else {
			out[i] = p.String()
		}
	}
	return strings.Join(out, ", ")
}
