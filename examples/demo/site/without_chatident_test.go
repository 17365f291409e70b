package site

import (
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestWithoutChatident checks the load test's baseline: the same site, the
// same sign-in, but no identity script and no chatident endpoints; and that
// the default still has both, so the option is what makes the difference.
func TestWithoutChatident(t *testing.T) {
	for _, tc := range []struct {
		name    string
		without bool
	}{{"with chatident", false}, {"without chatident", true}} {
		t.Run(tc.name, func(t *testing.T) {
			app, err := New(Config{Secrets: testSecrets(), WithoutChatident: tc.without})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(app)
			defer srv.Close()
			jar, err := cookiejar.New(nil)
			if err != nil {
				t.Fatal(err)
			}
			c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			}}

			resp, _ := postForm(t, c, srv.URL, "/login", url.Values{"user_id": {"u-1"}, "name": {"Ada"}}, nil)
			if resp.StatusCode != http.StatusSeeOther || sessionCookieOf(resp) == nil {
				t.Fatalf("login: %d, session cookie %v", resp.StatusCode, sessionCookieOf(resp))
			}
			resp, page := get(t, c, srv.URL, "/")
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Signed in as <strong>Ada</strong>") {
				t.Fatalf("GET / signed in: %d\n%s", resp.StatusCode, page)
			}
			if got := resp.Header.Get("X-Frame-Options"); got != "DENY" {
				t.Errorf("X-Frame-Options %q: the security headers must wrap both", got)
			}
			if has := strings.Contains(page, "webim_visitor"); has == tc.without {
				t.Errorf("page has webim_visitor: %v, want %v", has, !tc.without)
			}
			resp, _ = get(t, c, srv.URL, "/_chatident/zendesk/token")
			if served := resp.StatusCode != http.StatusNotFound; served == tc.without {
				t.Errorf("/_chatident/zendesk/token: status %d", resp.StatusCode)
			}
		})
	}
}
