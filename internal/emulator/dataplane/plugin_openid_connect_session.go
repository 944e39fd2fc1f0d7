package dataplane

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"

	"github.com/gorilla/securecookie"
)

// The openid-connect plugin keeps two cookies, as Kong does: the authorization cookie
// (authorization_cookie_name) holds the state, nonce and PKCE verifier of an authorization
// code flow in progress and the URL the browser asked for; the session cookie
// (session_cookie_name) holds the tokens once the flow is done, so the browser's next
// requests pass with the cookie alone. Both are encrypted and authenticated with
// gorilla/securecookie under session_secret, or the instance's random secret. Kong's
// lua-resty-session format is not reproduced: only the plugin reads these cookies.

// oidcSession is what the session cookie holds.
type oidcSession struct {
	AccessToken  string `json:"at"`
	IDToken      string `json:"it,omitempty"`
	RefreshToken string `json:"rt,omitempty"`
	// Expires is the access token's expiry (Unix seconds), 0 for none known.
	Expires int64 `json:"exp,omitempty"`
}

// oidcAuthorization is what the authorization cookie holds during the flow.
type oidcAuthorization struct {
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier,omitempty"`
	// URI is the URL the browser first asked for (login_action redirect goes back there).
	URI string `json:"uri"`
}

// oidcCookies encodes and decodes the plugin's cookies.
type oidcCookies struct {
	codec *securecookie.SecureCookie
}

func newOIDCCookies(secret []byte) oidcCookies {
	hashKey := sha256.Sum256(append([]byte("openid-connect hash:"), secret...))
	blockKey := sha256.Sum256(append([]byte("openid-connect block:"), secret...))
	codec := securecookie.New(hashKey[:], blockKey[:]).SetSerializer(securecookie.JSONEncoder{})
	// Tokens make long cookies; Kong splits them in chunks, the emulator sends one cookie
	// (no length limit: the clients that test against it accept it).
	codec.MaxLength(0)
	return oidcCookies{codec: codec}
}

// read decodes the named cookie of the request into v; false when absent or not valid.
func (c oidcCookies) read(req *http.Request, name string, v any) (present bool, err error) {
	raw, ok := cookieValue(req.Header, name)
	if !ok || raw == "" {
		return false, nil
	}
	if err := c.codec.Decode(name, raw, v); err != nil {
		return true, fmt.Errorf("cookie %s cannot be decrypted: %w", name, err)
	}
	return true, nil
}

// cookieAttrs are a cookie's attributes from the plugin's config.
type cookieAttrs struct {
	path, domain, sameSite string
	httpOnly, secure       bool
	maxAge                 int // seconds; 0: a session cookie; <0: delete
}

// setCookie writes a Set-Cookie for v (nil deletes the cookie) to the response headers h.
func (c oidcCookies) setCookie(h http.Header, name string, v any, attrs cookieAttrs) error {
	value := ""
	if v != nil {
		encoded, err := c.codec.Encode(name, v)
		if err != nil {
			return fmt.Errorf("encoding cookie %s: %w", name, err)
		}
		value = encoded
	}
	ck := &http.Cookie{Name: name, Value: value, Path: attrs.path, Domain: attrs.domain,
		HttpOnly: attrs.httpOnly, Secure: attrs.secure, MaxAge: attrs.maxAge}
	if v == nil {
		ck.MaxAge = -1
	}
	switch strings.ToLower(attrs.sameSite) {
	case "strict":
		ck.SameSite = http.SameSiteStrictMode
	case "lax":
		ck.SameSite = http.SameSiteLaxMode
	case "none":
		ck.SameSite = http.SameSiteNoneMode
	}
	h.Add("Set-Cookie", ck.String())
	return nil
}

// withoutCookie removes the named cookie from a Cookie header's values (the upstream does
// not see the plugin's session).
func withoutCookie(h http.Header, name string) {
	lines := h.Values("Cookie")
	if len(lines) == 0 {
		return
	}
	var kept []string
	for _, line := range lines {
		for _, part := range strings.Split(line, ";") {
			k, _, _ := strings.Cut(strings.TrimSpace(part), "=")
			if strings.TrimSpace(part) == "" || strings.EqualFold(strings.TrimSpace(k), name) {
				continue
			}
			kept = append(kept, strings.TrimSpace(part))
		}
	}
	h.Del("Cookie")
	if len(kept) > 0 {
		h.Set("Cookie", strings.Join(kept, "; "))
	}
}
