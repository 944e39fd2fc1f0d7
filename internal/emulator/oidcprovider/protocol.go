package oidcprovider

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Paths of a realm's endpoints that are the provider's own, not op's.
const (
	loginPath     = "/login"
	loggedOutPath = "/logged-out"
)

const (
	discoveryPath     = oidc.DiscoveryEndpoint
	tokenPath         = "/oauth/token"
	introspectionPath = "/oauth/introspect"
	userinfoPath      = "/userinfo"
)

// bearerChallenge adds the challenge of RFC 6750 to op's userinfo refusals, which have none.
type bearerChallenge struct{ http.ResponseWriter }

func (b bearerChallenge) WriteHeader(status int) {
	if status == http.StatusUnauthorized {
		b.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	b.ResponseWriter.WriteHeader(status)
}

// routes serves a realm's protocol endpoints (paths relative to its issuer): op's, with the
// login form and three thin wrappers in front of op where it does not do what is needed.
func (r *realm) routes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Path {
		case loginPath:
			r.serveLogin(w, req)
		case loggedOutPath:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = fmt.Fprintln(w, "Logged out.")
		case discoveryPath:
			r.serveDiscovery(w, req)
		case tokenPath:
			if req.Method == http.MethodPost && req.PostFormValue("grant_type") == GrantPassword {
				r.servePasswordGrant(w, req)
				return
			}
			r.op.ServeHTTP(w, req)
		case introspectionPath:
			r.serveIntrospection(w, req)
		case userinfoPath:
			r.op.ServeHTTP(bearerChallenge{w}, req)
		default:
			r.op.ServeHTTP(w, req)
		}
	})
}

// serveDiscovery is op's discovery document, listing what the provider has: op would list
// the implicit, JWT bearer and device grants, which no client here may use, and not
// password, which servePasswordGrant handles.
func (r *realm) serveDiscovery(w http.ResponseWriter, req *http.Request) {
	ctx := op.ContextWithIssuer(req.Context(), r.issuer)
	config := op.CreateDiscoveryConfig(ctx, r.op, r)
	config.GrantTypesSupported = nil
	for _, g := range allGrantTypes {
		config.GrantTypesSupported = append(config.GrantTypesSupported, oidc.GrantType(g))
	}
	config.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
	config.DeviceAuthorizationEndpoint = ""
	// serveIntrospection takes the client's credentials from the form too.
	config.IntrospectionEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost}
	op.Discover(w, config)
}

// clientCredentials reads a client's id and secret from HTTP Basic (form-encoded, RFC 6749
// section 2.3.1) or from the form; both at once is refused.
func clientCredentials(req *http.Request) (id, secret string, basic bool, err error) {
	formID, formSecret := req.PostForm.Get("client_id"), req.PostForm.Get("client_secret")
	id, secret, basic = req.BasicAuth()
	if !basic {
		return formID, formSecret, false, nil
	}
	if formSecret != "" {
		return "", "", true, errors.New("client authentication must not use more than one method")
	}
	if id, err = url.QueryUnescape(id); err == nil {
		secret, err = url.QueryUnescape(secret)
	}
	if err != nil {
		return "", "", true, errors.New("invalid basic auth header")
	}
	return id, secret, true, nil
}

// clientAuthFailed answers a client that did not authenticate: 401 invalid_client, with a
// challenge when it tried HTTP Basic (RFC 6749 section 5.2).
func clientAuthFailed(w http.ResponseWriter, basic bool, description string) {
	if basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="oidc"`)
	}
	writeOAuthError(w, http.StatusUnauthorized, "invalid_client", description)
}

// servePasswordGrant is the resource owner password credentials grant (RFC 6749 section
// 4.3). zitadel's op does not implement it (its token endpoint answers
// unsupported_grant_type), yet Kong's openid-connect plugin offers it (auth_methods
// "password") and tests use it, so it is done here with op's own token functions: the
// access token is op.CreateJWT's and the ID token op.CreateIDToken's, signed with the
// realm's key like every other token.
func (r *realm) servePasswordGrant(w http.ResponseWriter, req *http.Request) {
	clientID, secret, basic, err := clientCredentials(req)
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	client, err := r.authenticateClient(clientID, secret)
	if err != nil {
		clientAuthFailed(w, basic, "invalid client_id / client_secret")
		return
	}
	if !client.allows(GrantPassword) {
		writeOAuthError(w, http.StatusBadRequest, "unauthorized_client", fmt.Sprintf("client %q may not use the password grant", client.ID))
		return
	}
	username, password := req.PostForm.Get("username"), req.PostForm.Get("password")
	if username == "" || password == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "username and password are required")
		return
	}
	if !r.checkPassword(username, password) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "invalid username or password")
		return
	}
	scopes, err := client.grantedScopes(strings.Fields(req.PostForm.Get("scope")))
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_scope", err.Error())
		return
	}
	g := &grant{ClientID: client.ID, Username: username, Subject: username, Audience: client.audience(), Scopes: scopes, AuthTime: time.Now(), AMR: []string{"pwd"}}
	ctx := op.ContextWithIssuer(req.Context(), r.issuer)
	var tokenID, refresh string
	var expiration time.Time
	if client.allows(GrantRefreshToken) {
		tokenID, refresh, expiration, err = r.CreateAccessAndRefreshTokens(ctx, g, "")
	} else {
		tokenID, expiration, err = r.CreateAccessToken(ctx, g)
	}
	if err != nil {
		writeOAuthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	r.mu.Lock()
	opc := r.opClientLocked(client)
	r.mu.Unlock()
	accessToken, err := op.CreateJWT(ctx, r.issuer, g, expiration, tokenID, opc, r)
	if err != nil {
		writeOAuthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	resp := &oidc.AccessTokenResponse{
		AccessToken: accessToken, TokenType: oidc.BearerToken, RefreshToken: refresh,
		ExpiresIn: uint64(max(time.Until(expiration).Round(time.Second), 0) / time.Second), Scope: scopes,
	}
	if slices.Contains(scopes, oidc.ScopeOpenID) {
		if resp.IDToken, err = op.CreateIDToken(ctx, r.issuer, g, opc.IDTokenLifetime(), accessToken, "", r, opc); err != nil {
			writeOAuthError(w, http.StatusInternalServerError, "server_error", err.Error())
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, resp)
}

func (r *realm) checkPassword(username, password string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	u, ok := r.users[username]
	return ok && u.Password != "" && subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) == 1
}

// serveIntrospection authenticates the client itself before op answers: op takes HTTP Basic
// only and answers a failure in plain text, where RFC 7662 clients also send client_id and
// client_secret in the form and expect OAuth's JSON error.
func (r *realm) serveIntrospection(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "introspection takes POST")
		return
	}
	if err := req.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "cannot parse the form")
		return
	}
	clientID, secret, basic, err := clientCredentials(req)
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if _, err := r.authenticateClient(clientID, secret); err != nil {
		clientAuthFailed(w, basic, "invalid client_id / client_secret")
		return
	}
	if req.PostForm.Get("token") == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "token is required")
		return
	}
	if !basic {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	r.op.ServeHTTP(w, req)
}

var loginPage = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Sign in to {{.Realm}}</title></head>
<body>
<h1>Sign in to {{.Realm}}</h1>
<p>Client: {{.Client}}</p>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="id" value="{{.ID}}">
<label>Username <input name="username" autocomplete="username" value="{{.Username}}"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form>
</body></html>
`))

type loginView struct {
	Realm, Client, Error, Action, ID, Username string
}

// serveLogin is the login form an authorization request is sent to: GET shows it, POST
// checks the user and sends the browser back to op's callback, which redirects to the
// client's redirect_uri with the code.
func (r *realm) serveLogin(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	id := req.FormValue("id")
	r.mu.Lock()
	a, ok := r.authRequests[id]
	var clientID string
	if ok {
		clientID = a.ClientID
	}
	r.mu.Unlock()
	if !ok {
		http.Error(w, "unknown or expired authorization request: start again from the application", http.StatusBadRequest)
		return
	}
	view := loginView{Realm: r.name, Client: clientID, Action: r.issuer + loginPath, ID: id}
	status := http.StatusOK
	if req.Method == http.MethodPost {
		username, password := req.PostFormValue("username"), req.PostFormValue("password")
		if r.checkPassword(username, password) {
			if err := r.completeLogin(id, username); err != nil {
				http.Error(w, "unknown or expired authorization request: start again from the application", http.StatusBadRequest)
				return
			}
			ctx := op.ContextWithIssuer(req.Context(), r.issuer)
			http.Redirect(w, req, op.AuthCallbackURL(r.op)(ctx, id), http.StatusSeeOther)
			return
		}
		view.Error, view.Username, status = "Invalid username or password.", username, http.StatusUnauthorized
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = loginPage.Execute(w, view)
}
