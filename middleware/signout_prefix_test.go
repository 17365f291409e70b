package middleware

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatident/chatident/vendors"
)

// TestSignOutPrefixedCookieIsSecure: a browser drops a cookie whose name
// starts with __Secure- or __Host- (in any case) unless it is Secure, and a
// __Host- one unless it also has Path=/ and no Domain. A site that names the
// marker so, behind a TLS-terminating proxy where the request alone says
// plain HTTP, must still get a marker the browser keeps, set and expired,
// or its visitors never get their reset after sign-out.
func TestSignOutPrefixedCookieIsSecure(t *testing.T) {
	for _, name := range []string{"__Host-chatident_seen", "__Secure-chatident_seen", "__host-seen", "__SECURE-seen"} {
		for _, mode := range []SecureMode{SecureByRequest, SecureByForwardedProto} {
			m := mustNew(t, Config{
				Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}},
				SignOut: SignOut{HashKey: []byte(testKey), CookieName: name, Secure: mode},
			})
			r := httptest.NewRequest(http.MethodGet, "http://example.com/", nil) // as the proxy forwards it
			r = r.WithContext(WithVisitor(r.Context(), vendors.Visitor{ID: "user-42"}))
			p := buildPage(m, r, "")
			var marker *http.Cookie
			for _, line := range p.header["Set-Cookie"] {
				if c, err := http.ParseSetCookie(line); err == nil && c.Name == name {
					marker = c
				}
			}
			if marker == nil {
				t.Fatalf("%s, mode %d: no marker in %q", name, mode, p.header["Set-Cookie"])
			}
			if !marker.Secure || marker.Path != "/" || marker.Domain != "" {
				t.Errorf("%s, mode %d: marker %q, which a browser drops (want Secure, Path=/, no Domain)", name, mode, marker.String())
			}
			if strings.Contains(marker.String(), "Domain") {
				t.Errorf("%s: Domain set", name)
			}
		}
	}
}
