package dataplane

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// openid-connect (Kong Enterprise): authenticates the request against an OpenID provider,
// found by discovery from `issuer`. The methods in `auth_methods` are tried in Kong's order:
// a session cookie from an earlier login; a bearer token (verified against the provider's
// JWKS, or introspected); client credentials or a user's password exchanged for tokens at
// the token endpoint; else the authorization code flow (redirect to the provider, callback
// on the same route, session cookie). The token's claims then decide the required scopes,
// audience, groups and roles (403 when missing), the consumer (consumer_claims/consumer_by),
// the groups acl sees (authenticated_groups_claim) and the headers sent upstream.
//
// Error answers follow Kong's openid-connect responses module and its oauth error objects:
// kong.response.exit with {"message": unauthorized_error_message} (401) or
// {"message": forbidden_error_message} (403), and WWW-Authenticate
// `Bearer realm="<issuer's host>"`, followed, when expose_error_code is on (the default),
// by `, error="invalid_token"` (401) or `, error="insufficient_scope"` (403). Kong's 401 for
// a request with no credentials carries the same invalid_token code (its UnauthorizedError
// default). A provider that cannot be reached answers 500 {"message":"An unexpected error
// occurred"}.

func init() { RegisterTyped("openid-connect", newOpenIDConnect) }

// openIDConnectConfig declares the fields the emulator enforces; the others (session storage
// in Redis or memcached, DPoP, mTLS client authentication, token exchange, userinfo, logout,
// caching knobs...) are reported as not enforced.
type openIDConnectConfig struct {
	Issuer                string   `json:"issuer"`
	AuthMethods           []string `json:"auth_methods"`
	ClientID              []string `json:"client_id"`
	ClientSecret          []string `json:"client_secret"`
	Scopes                []string `json:"scopes"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	IntrospectionEndpoint string   `json:"introspection_endpoint"`
	IntrospectionHint     string   `json:"introspection_hint"`
	IntrospectJWTTokens   bool     `json:"introspect_jwt_tokens"`
	RedirectURI           []string `json:"redirect_uri"`
	Timeout               float64  `json:"timeout"`
	Leeway                float64  `json:"leeway"`
	RunOnPreflight        bool     `json:"run_on_preflight"`

	BearerTokenParamType       []string `json:"bearer_token_param_type"`
	BearerTokenCookieName      string   `json:"bearer_token_cookie_name"`
	ClientCredentialsParamType []string `json:"client_credentials_param_type"`
	PasswordParamType          []string `json:"password_param_type"`
	HideCredentials            bool     `json:"hide_credentials"`

	ScopesRequired    []string   `json:"scopes_required"`
	ScopesClaim       []string   `json:"scopes_claim"`
	AudienceRequired  []string   `json:"audience_required"`
	AudienceClaim     []string   `json:"audience_claim"`
	GroupsRequired    []string   `json:"groups_required"`
	GroupsClaim       []string   `json:"groups_claim"`
	RolesRequired     []string   `json:"roles_required"`
	RolesClaim        []string   `json:"roles_claim"`
	VerifyNonce       bool       `json:"verify_nonce"`
	RequirePKCE       *bool      `json:"require_proof_key_for_code_exchange"`
	ConsumerClaims    [][]string `json:"consumer_claims"`
	ConsumerBy        []string   `json:"consumer_by"`
	ConsumerOptional  bool       `json:"consumer_optional"`
	ByUsernameNoCase  bool       `json:"by_username_ignore_case"`
	CredentialClaim   []string   `json:"credential_claim"`
	Anonymous         string     `json:"anonymous"`
	AuthGroupsClaim   []string   `json:"authenticated_groups_claim"`
	UnauthorizedError string     `json:"unauthorized_error_message"`
	ForbiddenError    string     `json:"forbidden_error_message"`
	// Kong destroys the session of a refused request (both default on).
	UnauthorizedDestroySession bool `json:"unauthorized_destroy_session"`
	ForbiddenDestroySession    bool `json:"forbidden_destroy_session"`
	ExposeErrorCode            bool `json:"expose_error_code"`

	UpstreamAccessTokenHeader string   `json:"upstream_access_token_header"`
	UpstreamIDTokenHeader     string   `json:"upstream_id_token_header"`
	UpstreamHeadersClaims     []string `json:"upstream_headers_claims"`
	UpstreamHeadersNames      []string `json:"upstream_headers_names"`
	DownstreamHeadersClaims   []string `json:"downstream_headers_claims"`
	DownstreamHeadersNames    []string `json:"downstream_headers_names"`
	IntrospectionCheckActive  bool     `json:"introspection_check_active"`
	DisplayErrors             bool     `json:"display_errors"`
	DiscoveryHeadersNames     []string `json:"discovery_headers_names"`
	DiscoveryHeadersValues    []string `json:"discovery_headers_values"`

	SessionSecret         string `json:"session_secret"`
	SessionCookieName     string `json:"session_cookie_name"`
	SessionCookiePath     string `json:"session_cookie_path"`
	SessionCookieDomain   string `json:"session_cookie_domain"`
	SessionCookieSameSite string `json:"session_cookie_same_site"`
	SessionCookieHTTPOnly bool   `json:"session_cookie_http_only"`
	SessionCookieSecure   *bool  `json:"session_cookie_secure"`

	AuthorizationCookieName     string `json:"authorization_cookie_name"`
	AuthorizationCookiePath     string `json:"authorization_cookie_path"`
	AuthorizationCookieDomain   string `json:"authorization_cookie_domain"`
	AuthorizationCookieSameSite string `json:"authorization_cookie_same_site"`
	AuthorizationCookieHTTPOnly bool   `json:"authorization_cookie_http_only"`
	AuthorizationCookieSecure   *bool  `json:"authorization_cookie_secure"`

	LoginAction string `json:"login_action"`
}

type openIDConnect struct {
	c       openIDConnectConfig
	methods map[string]bool
	issuer  *oidcIssuer
	cookies oidcCookies
	realm   string
	timeout time.Duration
}

func newOpenIDConnect(c openIDConnectConfig, in Instance) (Handler, error) {
	if c.Issuer == "" {
		return nil, fmt.Errorf("openid-connect: issuer is required")
	}
	u, err := url.Parse(c.Issuer)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("openid-connect: issuer %q is not a URL", c.Issuer)
	}
	switch c.LoginAction {
	case "", "upstream", "redirect":
	default:
		return nil, fmt.Errorf("openid-connect: login_action %q is not supported by the emulator (upstream and redirect are)", c.LoginAction)
	}
	for _, pair := range [][2][]string{{c.UpstreamHeadersClaims, c.UpstreamHeadersNames}, {c.DownstreamHeadersClaims, c.DownstreamHeadersNames},
		{c.DiscoveryHeadersNames, c.DiscoveryHeadersValues}} {
		if len(pair[0]) != len(pair[1]) {
			return nil, fmt.Errorf("openid-connect: upstream_headers_claims/_names, downstream_headers_claims/_names and discovery_headers_names/_values must pair up")
		}
	}
	timeout := time.Duration(c.Timeout) * time.Millisecond
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	key := "openid-connect:" + Str(in.Entity, "id") + ":" + c.Issuer + ":" + timeout.String()
	discoveryHeaders := http.Header{}
	for i, name := range c.DiscoveryHeadersNames {
		discoveryHeaders.Add(name, c.DiscoveryHeadersValues[i])
		key += ":" + name + "=" + c.DiscoveryHeadersValues[i]
	}
	res, err := in.Resource(key, func() (io.Closer, error) { return newOIDCIssuer(c.Issuer, timeout, discoveryHeaders) })
	if err != nil {
		return nil, fmt.Errorf("openid-connect: %w", err)
	}
	iss := res.(*oidcIssuer)
	// Without session_secret, Kong encrypts sessions with a random secret kept with the
	// issuer's discovery data, so every route of that issuer shares the browser's login;
	// here it is kept per proxy and issuer.
	shared, err := in.Resource("openid-connect-secret:"+c.Issuer, func() (io.Closer, error) { return newSessionSecret() })
	if err != nil {
		return nil, fmt.Errorf("openid-connect: %w", err)
	}
	secret := []byte(*shared.(*sessionSecret))
	if c.SessionSecret != "" {
		secret = []byte(c.SessionSecret)
	}
	p := &openIDConnect{c: c, methods: map[string]bool{}, issuer: iss, cookies: newOIDCCookies(secret),
		realm: u.Hostname(), timeout: timeout}
	for _, m := range c.AuthMethods {
		p.methods[m] = true
	}
	if p.realm == "" {
		p.realm = "kong"
	}
	defaults := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	defaults(&p.c.SessionCookieName, "session")
	defaults(&p.c.AuthorizationCookieName, "authorization")
	defaults(&p.c.UnauthorizedError, "Unauthorized")
	defaults(&p.c.ForbiddenError, "Forbidden")
	defaults(&p.c.IntrospectionHint, "access_token")
	return p, nil
}

// oidcRequest is one request's run through the plugin.
type oidcRequest struct {
	p   *openIDConnect
	ctx *Context
	d   *oidcDiscovery
	hc  context.Context // for calls to the provider

	tokens       oidcSession
	method       string         // the auth method that authenticated
	via          string         // how, in words, for the trace
	accessClaims map[string]any // the access token's payload when it is a JWT
	idClaims     map[string]any
	introspected map[string]any
	saveSession  bool
	returnTo     string // the URL first asked for, when an authorization code flow just ended
}

func (p *openIDConnect) Access(ctx *Context) {
	if !p.c.RunOnPreflight && ctx.Request.Method == http.MethodOptions {
		return
	}
	if p.c.Anonymous != "" && ctx.Authenticated() {
		ctx.Decide("skipped: the request is already authenticated and anonymous is set (logical OR)")
		return
	}
	hc, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()
	d, err := p.issuer.discover(p.issuer.httpContext(hc))
	if err != nil {
		ctx.Decide("discovery of issuer " + p.c.Issuer + " failed: " + err.Error())
		p.unexpected(ctx)
		return
	}
	r := &oidcRequest{p: p, ctx: ctx, d: d, hc: p.issuer.httpContext(hc)}
	r.run()
}

// unexpected is Kong's answer when the provider cannot be used.
func (p *openIDConnect) unexpected(ctx *Context) {
	ctx.ExitJSON(http.StatusInternalServerError, cjsonEncode(map[string]string{"message": "An unexpected error occurred"}), nil)
}

// oidcRefusal is a 401 or 403 with its reason in words.
type oidcRefusal struct {
	status int
	reason string
}

func unauthorized(format string, args ...any) *oidcRefusal {
	return &oidcRefusal{status: http.StatusUnauthorized, reason: fmt.Sprintf(format, args...)}
}

func forbidden(format string, args ...any) *oidcRefusal {
	return &oidcRefusal{status: http.StatusForbidden, reason: fmt.Sprintf(format, args...)}
}

// refuse answers a refusal the Kong way: the anonymous consumer when configured, else the
// error with its WWW-Authenticate challenge.
func (r *oidcRequest) refuse(f *oidcRefusal) {
	ctx, p := r.ctx, r.p
	if p.c.Anonymous != "" {
		ctx.Decide(f.reason + "; going on as the anonymous consumer")
	} else {
		ctx.Decide(f.reason)
	}
	destroy := p.c.UnauthorizedDestroySession
	if f.status == http.StatusForbidden {
		destroy = p.c.ForbiddenDestroySession
	}
	if _, had := cookieValue(ctx.Downstream.Header, p.c.SessionCookieName); destroy && had && p.methods["session"] {
		_ = p.cookies.setCookie(ctx.ResponseHeader, p.c.SessionCookieName, nil, r.sessionAttrs())
	}
	ctx.AnonymousOr(p.c.Anonymous, func() {
		message, code := p.c.UnauthorizedError, "invalid_token"
		if f.status == http.StatusForbidden {
			message, code = p.c.ForbiddenError, "insufficient_scope"
		}
		challenge := `Bearer realm="` + p.realm + `"`
		if p.c.ExposeErrorCode {
			challenge += `, error="` + code + `"`
		}
		if p.c.DisplayErrors {
			// Kong adds its log line; the emulator adds the reason it traces.
			message += " (" + f.reason + ")"
		}
		h := http.Header{}
		h.Set("WWW-Authenticate", challenge)
		ctx.ExitJSON(f.status, cjsonEncode(map[string]string{"message": message}), h)
	})
}

func (r *oidcRequest) run() {
	if fail := r.authenticate(); fail != nil {
		r.refuse(fail)
		return
	}
	if r.ctx.Exited() {
		return // a redirect to the provider, or an unexpected error
	}
	if fail := r.checkExpiry(); fail != nil {
		r.refuse(fail)
		return
	}
	if fail := r.checkRequirements(); fail != nil {
		r.refuse(fail)
		return
	}
	consumer, fail := r.findConsumer()
	if fail != nil {
		r.refuse(fail)
		return
	}
	r.identify(consumer)
	r.setUpstreamHeaders()
	if err := r.finishSession(); err != nil {
		r.ctx.Decide("the session cookie could not be written: " + err.Error())
		r.p.unexpected(r.ctx)
		return
	}
	if r.returnTo != "" && r.p.c.LoginAction == "redirect" {
		if r.ctx.Tracing() {
			r.ctx.Decide(r.words(consumer) + "; login done, redirecting back to " + r.returnTo)
		}
		oidcRedirect(r.ctx, r.returnTo)
		return
	}
	if r.ctx.Tracing() {
		r.ctx.Decide(r.words(consumer))
	}
}

// words is the success decision.
func (r *oidcRequest) words(consumer Entity) string {
	s := r.via
	if consumer != nil {
		s += "; consumer " + cmpOr(Str(consumer, "username"), Str(consumer, "id"))
	}
	if len(r.ctx.AuthenticatedGroups) > 0 {
		s += "; authenticated groups " + strings.Join(r.ctx.AuthenticatedGroups, ", ")
	}
	return s
}

// authenticate finds the credentials and turns them into verified tokens, trying the
// enabled methods in Kong's order. It may end the request itself (a redirect).
func (r *oidcRequest) authenticate() *oidcRefusal {
	p := r.p
	if p.methods["session"] {
		var s oidcSession
		present, err := p.cookies.read(r.ctx.Downstream, p.c.SessionCookieName, &s)
		switch {
		case err != nil:
			// Kong treats a session it cannot open as none and tries the other methods.
		case present && s.AccessToken != "":
			r.tokens, r.method = s, "session"
			r.via = "authenticated by the session cookie " + p.c.SessionCookieName
			r.decodeTokens()
			return nil
		}
	}
	if p.methods["bearer"] || p.methods["introspection"] {
		if token, found := r.findBearer(); found {
			return r.bearer(token)
		}
	}
	if p.methods["password"] || p.methods["client_credentials"] {
		if grants := r.findGrantCredentials(); len(grants) > 0 {
			return r.exchange(grants)
		}
	}
	if p.methods["authorization_code"] {
		return r.authorizationCode()
	}
	refusal := unauthorized("no suitable authorization credentials were provided (auth_methods %s)", strings.Join(p.c.AuthMethods, ", "))
	var notRun []string
	for _, m := range p.c.AuthMethods {
		if m == "kong_oauth2" || m == "refresh_token" || m == "userinfo" {
			notRun = append(notRun, m)
		}
	}
	if len(notRun) > 0 {
		refusal.reason += "; the emulator does not run " + strings.Join(notRun, ", ")
	}
	return refusal
}

// checkExpiry refuses an access token past its expiry (with leeway), as Kong does after
// any method; a session whose token expired is refreshed with its refresh token.
func (r *oidcRequest) checkExpiry() *oidcRefusal {
	exp := r.tokens.Expires
	if exp == 0 {
		return nil
	}
	leeway := int64(r.p.c.Leeway)
	now := r.ctx.Now.Unix()
	if exp+leeway > now {
		return nil
	}
	expired := time.Unix(exp, 0).UTC().Format(time.RFC3339)
	if r.method == "session" && r.tokens.RefreshToken != "" {
		if err := r.refresh(); err != nil {
			return unauthorized("the session's access token expired at %s and could not be refreshed: %v", expired, err)
		}
		r.via += " (access token refreshed)"
		return nil
	}
	return unauthorized("token expired at %s (now %s)", expired, r.ctx.Now.UTC().Format(time.RFC3339))
}

// checkRequirements checks issuers, scopes, audience, groups and roles in Kong's order;
// each missing requirement is a 403.
func (r *oidcRequest) checkRequirements() *oidcRefusal {
	c := r.p.c
	for _, req := range []struct {
		name     string
		required []string
		claim    []string
	}{
		{"scope", c.ScopesRequired, orDefaultList(c.ScopesClaim, "scope")},
		{"audience", c.AudienceRequired, orDefaultList(c.AudienceClaim, "aud")},
		{"group", c.GroupsRequired, orDefaultList(c.GroupsClaim, "groups")},
		{"role", c.RolesRequired, orDefaultList(c.RolesClaim, "roles")},
	} {
		if len(req.required) == 0 {
			continue
		}
		// Kong's order for requirements: introspection results, access token, ID token.
		values, found := firstClaim(req.claim, r.introspected, r.accessClaims, r.idClaims)
		if !found {
			return forbidden("%s %s required, but the token has no claim %s", req.name, quoteEach(req.required, " or "), strings.Join(req.claim, "."))
		}
		have := claimStrings(values)
		if !anyRequirementMet(req.required, have) {
			return forbidden("%s %s required, token has %s", req.name, quoteEach(req.required, " or "), quoteEach(have, ", "))
		}
	}
	return nil
}

// anyRequirementMet: one entry of the list must be met (OR); an entry with spaces needs all
// of its words (AND), as Kong reads scopes_required and the like.
func anyRequirementMet(required, have []string) bool {
	set := map[string]bool{}
	for _, h := range have {
		set[h] = true
	}
	for _, entry := range required {
		all := true
		for _, w := range strings.Fields(entry) {
			if !set[w] {
				all = false
				break
			}
		}
		if all && len(strings.Fields(entry)) > 0 {
			return true
		}
	}
	return false
}

func quoteEach(list []string, sep string) string {
	if len(list) == 0 {
		return "none"
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = "`" + s + "`"
	}
	return strings.Join(out, sep)
}

// firstClaim finds a claim by path in the first claim set that has it. Kong looks in a
// different order for different purposes, so each caller gives its own.
func firstClaim(path []string, maps ...map[string]any) (any, bool) {
	for _, m := range maps {
		if v, ok := claimAt(m, path); ok {
			return v, true
		}
	}
	return nil, false
}

// claimAt follows a path of object keys.
func claimAt(m map[string]any, path []string) (any, bool) {
	if m == nil || len(path) == 0 {
		return nil, false
	}
	var cur any = m
	for _, k := range path {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[k]; !ok || cur == nil {
			return nil, false
		}
	}
	return cur, true
}

// claimStrings is a claim's values: a string's space-separated words (a scope claim), an
// array's elements.
func claimStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return strings.Fields(x)
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, claimStrings(e)...)
		}
		return out
	case []string:
		return x
	case nil:
		return nil
	}
	return []string{claimText(v)}
}

// claimText is a claim as a header value: strings as they are, numbers and booleans as
// text, arrays joined with ", ", objects as JSON.
func claimText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = claimText(e)
		}
		return strings.Join(parts, ", ")
	}
	return string(cjsonEncode(v))
}

// findConsumer maps the token to a consumer by consumer_claims and consumer_by: the first
// claim found decides, and the consumer must exist unless consumer_optional.
func (r *oidcRequest) findConsumer() (Entity, *oidcRefusal) {
	c := r.p.c
	if len(c.ConsumerClaims) == 0 {
		return nil, nil
	}
	var value string
	var claimName string
	for _, path := range c.ConsumerClaims {
		// Kong looks in the introspection results, then the ID token, then the access token;
		// the first claim found decides, a claim that is not a string counts as none.
		if v, ok := firstClaim(path, r.introspected, r.idClaims, r.accessClaims); ok {
			if s, isString := v.(string); isString && s != "" {
				value, claimName = s, strings.Join(path, ".")
				break
			}
		}
	}
	if value == "" {
		if c.ConsumerOptional {
			return nil, nil
		}
		return nil, forbidden("kong consumer was not found: the token has no claim %s", joinPaths(c.ConsumerClaims))
	}
	by := c.ConsumerBy
	if len(by) == 0 {
		by = []string{"custom_id", "username"}
	}
	for _, field := range by {
		var consumer Entity
		var ok bool
		switch field {
		case "id":
			consumer, ok = r.ctx.Snapshot.Get("consumers", value)
		case "username":
			consumer, ok = r.ctx.Snapshot.Lookup("consumers", "username", value)
			if !ok && c.ByUsernameNoCase {
				for _, e := range r.ctx.Snapshot.List("consumers") {
					if strings.EqualFold(Str(e, "username"), value) {
						consumer, ok = e, true
						break
					}
				}
			}
		case "custom_id":
			consumer, ok = r.ctx.Snapshot.Lookup("consumers", "custom_id", value)
		}
		if ok {
			return consumer, nil
		}
	}
	if c.ConsumerOptional {
		return nil, nil
	}
	return nil, forbidden("kong consumer was not found: no consumer has %s %q (claim %s)", strings.Join(by, " or "), value, claimName)
}

func joinPaths(paths [][]string) string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = strings.Join(p, ".")
	}
	return strings.Join(out, " or ")
}

// identify records the consumer or, without one, the credential claim's value, and the
// authenticated groups acl reads.
func (r *oidcRequest) identify(consumer Entity) {
	c, ctx := r.p.c, r.ctx
	var credential Entity
	credClaim := orDefaultList(c.CredentialClaim, "sub")
	if v, ok := r.identityClaim(credClaim); ok {
		credential = Entity{"id": claimText(v)}
	}
	if consumer != nil {
		ctx.Authenticate(consumer, credential, Str(credential, "id"))
		if credential == nil {
			// Authenticate reads a nil credential as anonymous; a token is a credential.
			ctx.Credential, ctx.Anonymous = Entity{"id": ""}, false
			ctx.Request.Header.Del("X-Anonymous-Consumer")
		}
	} else {
		ctx.Credential, ctx.Anonymous = credential, false
		if ctx.Credential == nil {
			ctx.Credential = Entity{"id": ""}
		}
		ctx.Request.Header.Del("X-Anonymous-Consumer")
		if id := Str(credential, "id"); id != "" {
			ctx.Request.Header.Set("X-Credential-Identifier", id)
		}
	}
	if len(c.AuthGroupsClaim) > 0 {
		if v, ok := r.identityClaim(c.AuthGroupsClaim); ok {
			groups := uniqueStrings(claimStrings(v))
			ctx.AuthenticatedGroups = groups
			ctx.Request.Header.Set("X-Authenticated-Groups", strings.Join(groups, ", "))
		}
	}
}

// identityClaim is Kong's order for the credential and groups claims: the introspection
// results, the ID token, then the access token.
func (r *oidcRequest) identityClaim(path []string) (any, bool) {
	return firstClaim(path, r.introspected, r.idClaims, r.accessClaims)
}

func uniqueStrings(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// setUpstreamHeaders sends the claims and tokens upstream as configured.
func (r *oidcRequest) setUpstreamHeaders() {
	c, h := r.p.c, r.ctx.Request.Header
	r.claimHeaders(h, c.UpstreamHeadersClaims, c.UpstreamHeadersNames)
	r.claimHeaders(r.ctx.ResponseHeader, c.DownstreamHeadersClaims, c.DownstreamHeadersNames)
	setTokenHeader(h, c.UpstreamAccessTokenHeader, r.tokens.AccessToken)
	setTokenHeader(h, c.UpstreamIDTokenHeader, r.tokens.IDToken)
}

// claimHeaders sets a header per claim: from the introspection results, else the access
// token, else the ID token.
func (r *oidcRequest) claimHeaders(h http.Header, claims, names []string) {
	for i, claim := range claims {
		if v, ok := firstClaim([]string{claim}, r.introspected, r.accessClaims, r.idClaims); ok {
			h.Set(names[i], claimText(v))
		}
	}
}

// setTokenHeader reads Kong's "name[:type]" header setting: "authorization:bearer" sends
// `Authorization: Bearer <token>`.
func setTokenHeader(h http.Header, setting, token string) {
	if setting == "" || token == "" {
		return
	}
	name, kind, _ := strings.Cut(setting, ":")
	value := token
	if kind != "" {
		value = strings.ToUpper(kind[:1]) + kind[1:] + " " + token
	}
	h.Set(name, value)
}

// finishSession writes the session cookie when tokens came from another method and the
// session method is on, and hides the session cookie from the upstream.
func (r *oidcRequest) finishSession() error {
	p := r.p
	if !p.methods["session"] {
		return nil
	}
	withoutCookie(r.ctx.Request.Header, p.c.SessionCookieName)
	if !r.saveSession {
		return nil
	}
	return p.cookies.setCookie(r.ctx.ResponseHeader, p.c.SessionCookieName, r.tokens, r.sessionAttrs())
}

func (r *oidcRequest) sessionAttrs() cookieAttrs {
	c := r.p.c
	return cookieAttrs{path: cmpOr(c.SessionCookiePath, "/"), domain: c.SessionCookieDomain, sameSite: cmpOr(c.SessionCookieSameSite, "Lax"),
		httpOnly: c.SessionCookieHTTPOnly, secure: r.secure(c.SessionCookieSecure)}
}

func (r *oidcRequest) authorizationAttrs() cookieAttrs {
	c := r.p.c
	return cookieAttrs{path: cmpOr(c.AuthorizationCookiePath, "/"), domain: c.AuthorizationCookieDomain, sameSite: c.AuthorizationCookieSameSite,
		httpOnly: c.AuthorizationCookieHTTPOnly, secure: r.secure(c.AuthorizationCookieSecure), maxAge: 600}
}

// secure is a cookie's Secure flag: as configured, else whether the client came over HTTPS
// (X-Forwarded-Proto from a trusted peer counts, as in Kong).
func (r *oidcRequest) secure(setting *bool) bool {
	if setting != nil {
		return *setting
	}
	return r.scheme() == "https"
}

func (r *oidcRequest) scheme() string {
	if r.ctx.ForwardedTrusted {
		if p := r.ctx.Downstream.Header.Get("X-Forwarded-Proto"); p != "" {
			return strings.ToLower(p)
		}
	}
	return r.ctx.Protocol
}

// redirectURI is where the provider sends the browser back: redirect_uri, else this
// request's URL without its query (Kong's default), so the callback lands on the same route.
func (r *oidcRequest) redirectURI() string {
	if len(r.p.c.RedirectURI) > 0 && r.p.c.RedirectURI[0] != "" {
		return r.p.c.RedirectURI[0]
	}
	return r.requestBase()
}

// requestBase is this request's URL without its query, as the client sees it.
func (r *oidcRequest) requestBase() string {
	host := r.ctx.Downstream.Host
	if r.ctx.ForwardedTrusted {
		if fh := r.ctx.Downstream.Header.Get("X-Forwarded-Host"); fh != "" {
			host = fh
		}
	}
	if host == "" {
		host = net.JoinHostPort("localhost", strconv.Itoa(r.ctx.LocalPort()))
	}
	return r.scheme() + "://" + host + r.ctx.Downstream.URL.EscapedPath()
}

// requestURL is the full URL the browser asked for.
func (r *oidcRequest) requestURL() string {
	u := r.requestBase()
	if q := r.ctx.Downstream.URL.RawQuery; q != "" {
		u += "?" + q
	}
	return u
}

// oidcRedirect answers 302 to location, uncached, with nginx's body.
func oidcRedirect(ctx *Context, location string) {
	h := http.Header{}
	h.Set("Location", location)
	h.Set("Cache-Control", "no-cache, no-store")
	h.Set("Pragma", "no-cache")
	body := "<html>\r\n<head><title>302 Found</title></head>\r\n<body>\r\n<center><h1>302 Found</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n"
	ctx.ExitRaw(http.StatusFound, []byte(body), "text/html", h)
}
