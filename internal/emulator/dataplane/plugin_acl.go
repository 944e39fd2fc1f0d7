package dataplane

import (
	"net/http"
	"strings"
)

// acl: lets in (allow) or keeps out (deny) the consumer an auth plugin identified, by its ACL
// groups, or by the groups an auth plugin granted without a consumer.

func init() { RegisterTyped("acl", newACL) }

type aclConfig struct {
	Allow                        []string `json:"allow"`
	Deny                         []string `json:"deny"`
	HideGroupsHeader             bool     `json:"hide_groups_header"`
	IncludeConsumerGroups        bool     `json:"include_consumer_groups"`
	AlwaysUseAuthenticatedGroups bool     `json:"always_use_authenticated_groups"`
}

type acl struct {
	groups                              map[string]bool
	deny                                bool
	hideHeader, consumerGroups, authAll bool
}

func newACL(c aclConfig, _ Instance) (Handler, error) {
	a := &acl{groups: map[string]bool{}, hideHeader: c.HideGroupsHeader,
		consumerGroups: c.IncludeConsumerGroups, authAll: c.AlwaysUseAuthenticatedGroups}
	list := c.Allow
	// The schema allows exactly one of the lists; a non-empty deny list makes it a deny list.
	if len(c.Deny) > 0 {
		list, a.deny = c.Deny, true
	}
	for _, g := range list {
		a.groups[g] = true
	}
	return a, nil
}

const aclForbidden = "You cannot consume this service"

func (a *acl) Access(ctx *Context) {
	consumerID := Str(ctx.Consumer, "id")
	var groups []string
	header := "X-Consumer-Groups"
	// Groups an auth plugin granted count for a request without a real consumer, or always
	// when configured so; otherwise the consumer's own groups do.
	if (consumerID == "" || ctx.Anonymous || a.authAll) && len(ctx.AuthenticatedGroups) > 0 {
		groups, header = ctx.AuthenticatedGroups, "X-Authenticated-Groups"
	} else {
		if consumerID == "" {
			ctx.Decide("no consumer was identified (an auth plugin must run before acl)")
			a.refuse(ctx)
			return
		}
		groups = a.consumerGroupNames(ctx, consumerID)
		if len(groups) == 0 && !a.deny {
			ctx.Decide("the consumer is in no group")
			a.refuse(ctx)
			return
		}
	}

	member := false
	for _, g := range groups {
		if a.groups[g] {
			member = true
			break
		}
	}
	if member == a.deny {
		if ctx.Tracing() {
			ctx.Decide(a.reason(groups, member))
		}
		ctx.Exit(http.StatusForbidden, aclForbidden, nil)
		return
	}
	if ctx.Tracing() {
		ctx.Decide(a.reason(groups, member))
	}
	if !a.hideHeader {
		// Set even when empty (a deny list and a consumer without groups), as Kong does.
		ctx.Request.Header.Set(header, strings.Join(groups, ", "))
	}
}

// reason is the decision in the trace's words.
func (a *acl) reason(groups []string, member bool) string {
	list := "allow"
	if a.deny {
		list = "deny"
	}
	in := "none of the consumer's groups (" + strings.Join(groups, ", ") + ") is"
	if member {
		in = "one of the consumer's groups (" + strings.Join(groups, ", ") + ") is"
	}
	return in + " in the " + list + " list " + strings.Join(sortedKeys(a.groups), ", ")
}

// refuse answers a request the plugin has no groups for: 403 if a credential identified the
// client, 401 otherwise.
func (a *acl) refuse(ctx *Context) {
	if ctx.Credential != nil {
		ctx.Exit(http.StatusForbidden, aclForbidden, nil)
		return
	}
	ctx.Exit(http.StatusUnauthorized, "", nil)
}

// consumerGroupNames are the consumer's ACL groups and, if configured, the names of the
// consumer groups it belongs to.
func (a *acl) consumerGroupNames(ctx *Context, consumerID string) []string {
	var names []string
	for _, e := range ctx.Snapshot.Referencing("acls", "consumer", consumerID) {
		if g := Str(e, "group"); g != "" {
			names = append(names, g)
		}
	}
	if a.consumerGroups {
		for _, g := range ctx.Snapshot.ConsumerGroups(consumerID) {
			names = append(names, Str(g, "name"))
		}
	}
	return names
}
