package pluginschema_test

import "testing"

func TestACLDefaults(t *testing.T) {
	p := mustLookup(t, "acl")
	want := map[string]any{
		"allow":                           []any{"admins"},
		"deny":                            nil,
		"hide_groups_header":              false,
		"include_consumer_groups":         false,
		"always_use_authenticated_groups": false,
	}
	for name, config := range map[string]string{
		"only allow": `{"allow":["admins"]}`,
		"null elsewhere": `{"allow":["admins"],"deny":null,"hide_groups_header":null,"include_consumer_groups":null,
			"always_use_authenticated_groups":null}`,
	} {
		t.Run(name, func(t *testing.T) {
			sameJSON(t, normalizeOK(t, p, decode(t, config)), want)
		})
	}
}

func TestACLValues(t *testing.T) {
	p := mustLookup(t, "acl")
	in := decode(t, `{"deny":["banned","banned","guests"],"hide_groups_header":true,"include_consumer_groups":true,
		"always_use_authenticated_groups":true}`)
	sameJSON(t, normalizeOK(t, p, in), map[string]any{
		"allow":                           nil,
		"deny":                            []any{"banned", "banned", "guests"},
		"hide_groups_header":              true,
		"include_consumer_groups":         true,
		"always_use_authenticated_groups": true,
	})
}

func TestACLErrors(t *testing.T) {
	const (
		exactlyOne = "exactly one of these fields must be non-empty: 'config.allow', 'config.deny'"
		atLeastOne = "at least one of these fields must be non-empty: 'config.allow', 'config.deny'"
	)
	checkErrors(t, mustLookup(t, "acl"), []errorCase{
		// Exactly one of allow and deny; Kong's two rules both fail when neither is set.
		{"neither", "", fe(entity(exactlyOne), entity(atLeastOne))},
		{"both null", `{"allow":null,"deny":null}`, fe(entity(exactlyOne), entity(atLeastOne))},
		{"both empty", `{"allow":[],"deny":[]}`, fe(entity(exactlyOne), entity(atLeastOne))},
		{"both", `{"allow":["admins"],"deny":["guests"]}`, fe(entity(exactlyOne))},
		{"neither, and a bad field", `{"hide_groups_header":"no"}`, fe(
			entity(exactlyOne),
			entity(atLeastOne),
			field("config.hide_groups_header", "expected a boolean"),
		)},

		// Field types.
		{"array expected", `{"allow":"admins"}`, fe(field("config.allow", "expected an array"))},
		{"string element expected", `{"deny":["guests",7]}`, fe(field("config.deny.2", "expected a string"))},
		{"empty group", `{"allow":[""]}`, fe(field("config.allow.1", "length must be at least 1"))},
		{"boolean expected", `{"allow":["a"],"include_consumer_groups":"yes"}`,
			fe(field("config.include_consumer_groups", "expected a boolean"))},
		{"old name", `{"whitelist":["a"]}`, fe(
			entity(exactlyOne),
			entity(atLeastOne),
			field("config.whitelist", "unknown field"),
		)},
	})
}

func TestACLAccepts(t *testing.T) {
	checkAccepts(t, mustLookup(t, "acl"),
		`{"allow":["admins","staff"]}`,
		`{"deny":["guests"]}`,
		`{"allow":[],"deny":["guests"]}`, // an empty list counts as unset
	)
}

func TestACLRegistration(t *testing.T) {
	checkRegistration(t, "acl", 950, []string{"grpc", "grpcs", "http", "https", "ws", "wss"},
		[]string{"grpc", "grpcs", "http", "https"}, "consumer", "consumer_group")
}
