package pluginschema_test

import "testing"

func TestIPRestrictionDefaults(t *testing.T) {
	p := mustLookup(t, "ip-restriction")
	want := map[string]any{
		"allow":   []any{"10.0.0.0/8"},
		"deny":    nil,
		"status":  nil,
		"message": nil,
	}
	for name, config := range map[string]string{
		"only allow":     `{"allow":["10.0.0.0/8"]}`,
		"null elsewhere": `{"allow":["10.0.0.0/8"],"deny":null,"status":null,"message":null}`,
	} {
		t.Run(name, func(t *testing.T) {
			sameJSON(t, normalizeOK(t, p, decode(t, config)), want)
		})
	}
}

func TestIPRestrictionValues(t *testing.T) {
	p := mustLookup(t, "ip-restriction")
	in := decode(t, `{"allow":["10.0.0.0/8","2001:db8::/32"],"deny":["10.0.0.7"],"status":451,"message":"Go away"}`)
	sameJSON(t, normalizeOK(t, p, in), map[string]any{
		"allow":   []any{"10.0.0.0/8", "2001:db8::/32"},
		"deny":    []any{"10.0.0.7"},
		"status":  451.0,
		"message": "Go away",
	})
}

func TestIPRestrictionErrors(t *testing.T) {
	const atLeastOne = "at least one of these fields must be non-empty: 'config.allow', 'config.deny'"
	bad := func(path, value string) FieldError {
		return field(path, "invalid ip or cidr range: '"+value+"'")
	}
	checkErrors(t, mustLookup(t, "ip-restriction"), []errorCase{
		{"neither", "", fe(entity(atLeastOne))},
		{"both empty", `{"allow":[],"deny":[]}`, fe(entity(atLeastOne))},
		{"only a message", `{"message":"no"}`, fe(entity(atLeastOne))},
		{"array expected", `{"allow":12}`, fe(field("config.allow", "expected an array"))},
		{"not an address", `{"deny":["127.0.0.1","127.0.0.2","hello"]}`, fe(bad("config.deny.3", "hello"))},
		{"bad IPv4 prefixes", `{"allow":["0.0.0.0/a","0.0.0.0/-1","0.0.0.0/33"]}`, fe(
			bad("config.allow.1", "0.0.0.0/a"),
			bad("config.allow.2", "0.0.0.0/-1"),
			bad("config.allow.3", "0.0.0.0/33"),
		)},
		{"bad IPv6 prefixes", `{"allow":["::/a","::/-1","::/129","::1/a","::1/-1","::1/129"]}`, fe(
			bad("config.allow.1", "::/a"),
			bad("config.allow.2", "::/-1"),
			bad("config.allow.3", "::/129"),
			bad("config.allow.4", "::1/a"),
			bad("config.allow.5", "::1/-1"),
			bad("config.allow.6", "::1/129"),
		)},
		{"number expected", `{"allow":["10.0.0.1"],"status":"403"}`, fe(field("config.status", "expected a number"))},
		{"empty message", `{"allow":["10.0.0.1"],"message":""}`, fe(field("config.message", "length must be at least 1"))},
		{"old name", `{"whitelist":["10.0.0.1"]}`, fe(entity(atLeastOne), field("config.whitelist", "unknown field"))},
	})
}

// Addresses and ranges are checked as Kong checks them (inet_pton, prefix lengths written in
// plain decimal).
func TestIPRestrictionAddresses(t *testing.T) {
	p := mustLookup(t, "ip-restriction")
	for value, valid := range map[string]bool{
		"127.0.0.1":       true,
		"127.0.0.1/8":     true,
		"0.0.0.0/0":       true,
		"10.1.2.3/32":     true,
		"::1":             true,
		"[::1]":           true,
		"::/0":            true,
		"::/1":            true,
		"::/128":          true,
		"2001:db8::/32":   true,
		"::ffff:10.0.0.1": true,
		"FE80::1":         true,
		"256.0.0.1":       false,
		"1.2.3":           false,
		"01.2.3.4":        false,
		"1.2.3.4/08":      false,
		"1.2.3.4/":        false,
		"1.2.3.4/+8":      false,
		"10.0.0.0/8/9":    false,
		"fe80::1%eth0":    false,
		"2001:db8::/33x":  false,
		"1/8":             false,
		"example.com":     false,
	} {
		t.Run(value, func(t *testing.T) {
			_, errs := p.Normalize(map[string]any{"allow": []any{value}})
			if valid {
				sameErrors(t, errs, nil)
			} else {
				sameErrors(t, errs, fe(field("config.allow.1", "invalid ip or cidr range: '"+value+"'")))
			}
		})
	}
}

func TestIPRestrictionAccepts(t *testing.T) {
	checkAccepts(t, mustLookup(t, "ip-restriction"),
		`{"deny":["10.0.0.7"]}`,
		`{"allow":["10.0.0.0/8"],"deny":["10.0.0.7"]}`, // both lists together
		`{"allow":[],"deny":["10.0.0.7"]}`,
	)
}

func TestIPRestrictionRegistration(t *testing.T) {
	checkRegistration(t, "ip-restriction", 990,
		[]string{"grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp", "ws", "wss"},
		[]string{"http", "https", "tcp", "tls", "grpc", "grpcs"})
}
