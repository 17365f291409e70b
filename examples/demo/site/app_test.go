package site

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// get fetches path and returns the response and its body.
func get(t *testing.T, c *http.Client, base, path string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// postForm posts form to path with extra headers and returns the response
// and its body.
func postForm(t *testing.T, c *http.Client, base, path string, form url.Values, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func sessionCookieOf(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	return nil
}

func TestLoginAndLogout(t *testing.T) {
	srv, c, _ := testServer(t)
	form := url.Values{"user_id": {"u-1"}, "name": {"Ada <Lovelace>"}, "email": {"ada@example.com"}}
	resp, _ := postForm(t, c, srv.URL, "/login", form, map[string]string{"Origin": srv.URL, "Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("login: %d Location %q, want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
	}
	ck := sessionCookieOf(resp)
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.MaxAge != sessionMaxAge {
		t.Fatalf("session cookie %+v, want HttpOnly, SameSite=Lax, Path=/, Max-Age=%d", ck, sessionMaxAge)
	}

	_, page := get(t, c, srv.URL, "/")
	if !strings.Contains(page, "Signed in as <strong>Ada &lt;Lovelace&gt;</strong>") {
		t.Errorf("the page does not show the signed-in name, escaped:\n%s", page)
	}
	if !strings.Contains(page, `action="/logout"`) || strings.Contains(page, `action="/login"`) {
		t.Errorf("a signed-in page should offer sign-out and not sign-in")
	}

	resp, _ = postForm(t, c, srv.URL, "/logout", nil, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("logout: %d Location %q, want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
	}
	if ck := sessionCookieOf(resp); ck == nil || ck.MaxAge >= 0 {
		t.Fatalf("logout did not expire the session cookie: %+v", ck)
	}
	_, page = get(t, c, srv.URL, "/")
	if strings.Contains(page, "Signed in as") || !strings.Contains(page, `action="/login"`) {
		t.Errorf("after sign-out the page should offer sign-in")
	}
}

func TestLoginRefusesBadInput(t *testing.T) {
	srv, c, _ := testServer(t)
	for _, tc := range []struct {
		name string
		form url.Values
		msg  string
	}{
		{"no user id", url.Values{"name": {`Kept "name"`}}, "a user id is required"},
		{"blank user id", url.Values{"user_id": {" \t"}, "name": {`Kept "name"`}}, "a user id is required"},
		{"long name", url.Values{"user_id": {"u"}, "name": {strings.Repeat("é", maxField)}}, "the name is 512 bytes; at most 256 fit"},
		{"not UTF-8", url.Values{"user_id": {"u"}, "email": {"a\xffb@example.com"}}, "the e-mail is not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, page := postForm(t, c, srv.URL, "/login", tc.form, nil)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			if sessionCookieOf(resp) != nil {
				t.Errorf("a refused sign-in set a session cookie")
			}
			if !strings.Contains(page, tc.msg) {
				t.Errorf("the page does not say %q:\n%s", tc.msg, page)
			}
			// Nothing typed is lost: the form comes back filled in.
			if n := tc.form.Get("name"); n == `Kept "name"` && !strings.Contains(page, `value="Kept &#34;name&#34;"`) {
				t.Errorf("the name typed is not in the form again:\n%s", page)
			}
			if resp.Header.Get("Content-Security-Policy") == "" {
				t.Errorf("the error page has no CSP")
			}
		})
	}
}

func TestLoginAndLogoutRefuseCrossSite(t *testing.T) {
	srv, c, _ := testServer(t)
	form := url.Values{"user_id": {"u-1"}}
	for _, h := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"},
		{"Origin": "http://evil.example"},
	} {
		for _, path := range []string{"/login", "/logout"} {
			resp, _ := postForm(t, c, srv.URL, path, form, h)
			if resp.StatusCode != http.StatusForbidden || sessionCookieOf(resp) != nil {
				t.Errorf("%s with %v: %d, cookie %v; want 403 and no cookie", path, h, resp.StatusCode, sessionCookieOf(resp))
			}
		}
	}
}

func TestTamperedSessionIsAnonymous(t *testing.T) {
	srv, c, _ := testServer(t)
	resp, _ := postForm(t, c, srv.URL, "/login", url.Values{"user_id": {"u-1"}, "name": {"Ada"}}, nil)
	ck := sessionCookieOf(resp)
	if ck == nil {
		t.Fatal("no session cookie")
	}
	// Flip one character of the signed value.
	v := []byte(ck.Value)
	v[10] ^= 1
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: string(v)})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(b), "Signed in as") {
		t.Errorf("a tampered session cookie was accepted")
	}
}

var nonceRE = regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9+/=_-]+)' 'strict-dynamic'`)

func TestPageCSPNonceIsFreshAndUsed(t *testing.T) {
	srv, c, _ := testServer(t)
	seen := map[string]bool{}
	for range 3 {
		resp, page := get(t, c, srv.URL, "/")
		csp := resp.Header.Get("Content-Security-Policy")
		m := nonceRE.FindStringSubmatch(csp)
		if m == nil {
			t.Fatalf("CSP %q has no script nonce", csp)
		}
		nonce := m[1]
		if len(nonce) < 22 {
			t.Errorf("nonce %q is short", nonce)
		}
		if seen[nonce] {
			t.Errorf("nonce %q was served twice", nonce)
		}
		seen[nonce] = true
		for _, d := range []string{"default-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "style-src 'self' 'nonce-" + nonce + "'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("CSP %q lacks %q", csp, d)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("CSP %q allows inline script or eval", csp)
		}
		if !strings.Contains(page, `<script nonce="`+nonce+`" src="/standin/edna.js"></script>`) {
			t.Errorf("the edna init script does not carry this response's nonce")
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
	}
}

func TestStandinFiles(t *testing.T) {
	srv, c, _ := testServer(t)
	paths := []string{standinWebim, standinEdna, standinHelpCrunch, standinZendesk, standinCSS}
	for _, v := range widgetNames {
		paths = append(paths, standinPrefix+v+".js")
	}
	for _, path := range paths {
		resp, body := get(t, c, srv.URL, path)
		if resp.StatusCode != http.StatusOK || body == "" {
			t.Errorf("%s: %d, %d bytes", path, resp.StatusCode, len(body))
			continue
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", path)
		}
		ct := resp.Header.Get("Content-Type")
		if strings.HasSuffix(path, ".js") && !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		if !strings.HasSuffix(path, ".js") {
			continue
		}
		if !strings.Contains(body, "NOT the real") {
			t.Errorf("%s does not say it is a stand-in", path)
		}
		// The stand-ins render hostile names: text only, nothing the CSP
		// forbids.
		for _, banned := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setAttribute('on", `setAttribute("on`, "setAttribute('style", ".style."} {
			if strings.Contains(body, banned) {
				t.Errorf("%s uses %s", path, banned)
			}
		}
	}
	if resp, _ := get(t, c, srv.URL, "/standin/nope.js"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a missing stand-in: %d, want 404", resp.StatusCode)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	srv, c, _ := testServer(t)
	get(t, c, srv.URL, "/")
	resp, body := get(t, c, srv.URL, "/metrics")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	if !strings.Contains(body, "chatident_responses_total") {
		t.Errorf("/metrics lacks chatident_responses_total:\n%s", body)
	}
	if strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics serves the global registry; want the demo's private one")
	}
}
