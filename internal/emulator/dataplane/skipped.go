package dataplane

import (
	"fmt"
	"net/netip"
	"strings"
)

// Skipped is an entity the data plane could not apply: it is left out (a plugin that does not
// build answers 500 instead), the reason is logged, and the rest of the control plane is
// served.
type Skipped struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Reason string `json:"reason"`
}

// checkService reports why a service cannot be proxied to, or "" if it can: its host must be
// a host name or an IP address (no port, no spaces), its port a TCP port.
func checkService(svc Entity) string {
	host := Str(svc, "host")
	if reason := checkHost(host); reason != "" {
		return reason
	}
	if v, ok := svc["port"]; ok && v != nil {
		if port := Num(svc, "port"); port < 0 || port > 65535 || port != float64(int(port)) {
			return fmt.Sprintf("port %v is not a TCP port", v)
		}
	}
	return ""
}

func checkHost(host string) string {
	if host == "" {
		return "no host"
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")); err == nil && a.Zone() == "" {
		return ""
	}
	for _, label := range strings.Split(strings.TrimSuffix(host, "."), ".") {
		if label == "" || len(label) > 63 {
			return fmt.Sprintf("host %q is not a host name", host)
		}
		for i := 0; i < len(label); i++ {
			if !isHostNameChar(label[i]) {
				return fmt.Sprintf("host %q is not a host name", host)
			}
		}
	}
	return ""
}

func isHostNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}
