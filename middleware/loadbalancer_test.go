package middleware_test

import (
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/chatident/chatident/internal/faultnet"
	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// Many instances behind a load balancer must behave as one: the same
// configuration and keys on each, and no state kept between requests, so
// a browser whose requests land on any instance in any order sees one site.

// lbConfig is the configuration every instance is deployed with: fresh
// vendor values each time, the same keys. hashKey nil means the sign-out
// key is left unset.
func lbConfig(hashKey []byte, logger *slog.Logger) middleware.Config {
	return middleware.Config{
		Vendors: []vendors.Vendor{
			&vendors.Webim{PrivateKey: []byte(webimKey), IDKey: []byte(webimIDKey)},
			&vendors.Edna{IDKey: []byte(ednaIDKey)},
			&vendors.HelpCrunch{Organization: "shop", AppID: "3", Secret: []byte(helpKey)},
			&vendors.Zendesk{Secret: []byte(zendeskSecret), AccountKey: "acct-key"},
		},
		Sources: []middleware.Source{&middleware.JWTCookie{Secret: []byte(loginSecret)}},
		SignOut: middleware.SignOut{HashKey: hashKey},
		Logger:  logger,
	}
}

// lbApp is the application each instance runs: /login and /logout set and
// clear the login token cookie; every other path is an HTML page.
func lbApp(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/login":
			tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
				"sub": "xsolla-user-1", "email": "ann@example.com",
				"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
			}).SignedString([]byte(loginSecret))
			if err != nil {
				t.Error(err)
			}
			http.SetCookie(w, &http.Cookie{Name: "token", Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
			w.WriteHeader(http.StatusNoContent)
		case "/logout":
			http.SetCookie(w, &http.Cookie{Name: "token", Path: "/", MaxAge: -1})
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, "<!doctype html><html><head><title>Shop</title></head><body><p>Hi</p></body></html>")
		}
	})
}

// lbPair starts two instances with the same configuration.
func lbPair(t *testing.T, hashKey []byte) [2]*httptest.Server {
	t.Helper()
	var s [2]*httptest.Server
	for i := range s {
		mw, err := middleware.New(lbConfig(hashKey, slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		s[i] = httptest.NewServer(mw.Wrap(lbApp(t)))
		t.Cleanup(s[i].Close)
	}
	return s
}

// lbBrowser is one browser: one cookie jar for both instances, as for one
// site (cookies do not depend on the port).
type lbBrowser struct {
	t      *testing.T
	client *http.Client
}

func newLBBrowser(t *testing.T) *lbBrowser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &lbBrowser{t: t, client: &http.Client{Jar: jar}}
}

// get fetches path from server s and returns the status, the body and the
// sign-out marker the response set (nil when none).
func (b *lbBrowser) get(s *httptest.Server, path string) (int, string, *http.Cookie) {
	b.t.Helper()
	resp, err := b.client.Get(s.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	var marker *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == middleware.DefaultSignOutCookie {
			marker = c
		}
	}
	return resp.StatusCode, string(body), marker
}

// resetVendors are the four vendors, each of which has a reset.
var resetVendors = []string{"webim", "edna", "helpcrunch", "zendesk"}

// TestLoadBalancedInstancesBehaveAsOne alternates one browser's requests
// between two instances: sign in, pages, the Zendesk token, the Webim
// refresh, sign out, the reset, anonymous pages. Each step lands on the
// other instance from the one before; nothing is lost and the reset comes
// exactly once.
func TestLoadBalancedInstancesBehaveAsOne(t *testing.T) {
	s := lbPair(t, []byte(signOutKey))
	b := newLBBrowser(t)
	at := func(step int) *httptest.Server { return s[step%2] }

	// 0: anonymous page: anonymous widgets, no reset, no marker.
	code, body, marker := b.get(at(0), "/")
	if code != 200 || pageVendors(t, body)["helpcrunch"].Mode != "anonymous" || hasAnyReset(body) || marker != nil {
		t.Fatalf("anonymous page: %d, marker %+v, body\n%s", code, marker, body)
	}
	// 1: sign in.
	if code, _, _ := b.get(at(1), "/login"); code != http.StatusNoContent {
		t.Fatalf("login: %d", code)
	}
	// 2: identified page: the visitor, and a marker.
	code, body, marker = b.get(at(2), "/")
	if code != 200 || webimID(t, body) == "" || hasAnyReset(body) || marker == nil || marker.MaxAge <= 0 {
		t.Fatalf("identified page: %d, marker %+v, body\n%s", code, marker, body)
	}
	// 3: identified page on the other instance: it trusts the first one's
	// marker (no reset, nothing re-set) and identifies the same visitor.
	code, body3, marker := b.get(at(3), "/")
	if code != 200 || hasAnyReset(body3) || marker != nil {
		t.Fatalf("identified page on the other instance: %d, marker %+v, body\n%s", code, marker, body3)
	}
	if id2, id3 := webimID(t, body), webimID(t, body3); id2 == "" || id2 != id3 {
		t.Errorf("the instances identify the visitor differently: %q and %q", id2, id3)
	}
	// 4: the Zendesk token.
	code, body, _ = b.get(at(4), "/_chatident/zendesk/token")
	var tok struct{ Token string }
	if code != 200 || json.Unmarshal([]byte(body), &tok) != nil {
		t.Fatalf("token: %d %s", code, body)
	}
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(tok.Token, claims, func(*jwt.Token) (any, error) { return []byte(zendeskSecret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired()); err != nil || claims["external_id"] != "xsolla-user-1" {
		t.Errorf("Zendesk token: %v, claims %v", err, claims)
	}
	// 5: the Webim refresh.
	code, body, _ = b.get(at(5), "/_chatident/webim/refresh")
	var obj map[string]any
	if code != 200 || json.Unmarshal([]byte(body), &obj) != nil || obj["hash"] == nil || fieldsID(obj) != webimID(t, body3) {
		t.Errorf("refresh: %d %s; want the object for the page's visitor", code, body)
	}
	// 6: sign out.
	if code, _, _ := b.get(at(6), "/logout"); code != http.StatusNoContent {
		t.Fatalf("logout: %d", code)
	}
	// 7: the next page resets every widget once and expires the marker.
	code, body, marker = b.get(at(7), "/")
	for _, name := range resetVendors {
		if e := pageVendors(t, body)[name]; code != 200 || !e.Reset {
			t.Errorf("first page after sign-out has no %s reset (status %d)", name, code)
		}
	}
	if marker == nil || marker.MaxAge >= 0 {
		t.Errorf("first page after sign-out: marker %+v, want it expired", marker)
	}
	// 8, 9: anonymous from then on, on either instance: no reset, no marker.
	for step := 8; step <= 9; step++ {
		code, body, marker = b.get(at(step), "/")
		if code != 200 || hasAnyReset(body) || marker != nil || webimID(t, body) != "" {
			t.Errorf("step %d, after the reset: %d, marker %+v, body\n%s", step, code, marker, body)
		}
	}
	// 10, 11: the endpoints know the visitor has gone.
	if code, _, _ := b.get(at(10), "/_chatident/zendesk/token"); code != http.StatusUnauthorized {
		t.Errorf("token after sign-out: %d, want 401", code)
	}
	if code, _, _ := b.get(at(11), "/_chatident/webim/refresh"); code != http.StatusUnauthorized {
		t.Errorf("refresh after sign-out: %d, want 401", code)
	}
}

// TestLoadBalancedRandomKeysLoseTheReset shows what the warning in New is
// about: without SignOut.HashKey each instance makes its own key, and a
// browser marked by one instance gets no reset from the other.
func TestLoadBalancedRandomKeysLoseTheReset(t *testing.T) {
	s := lbPair(t, nil)
	b := newLBBrowser(t)
	b.get(s[0], "/login")
	if _, _, marker := b.get(s[0], "/"); marker == nil {
		t.Fatal("identified page set no marker")
	}
	b.get(s[0], "/logout")
	if _, body, _ := b.get(s[1], "/"); hasAnyReset(body) {
		t.Errorf("the other instance verified a marker signed with a random key:\n%s", body)
	}
}

// TestNewWarnsOnceAboutARandomSignOutKey checks the start-up warning: one
// record from New, naming the setting to fix, none per request; and none
// when the key is set or sign-out is off.
func TestNewWarnsOnceAboutARandomSignOutKey(t *testing.T) {
	for _, tc := range []struct {
		name     string
		key      []byte
		disabled bool
		want     int
	}{
		{"no key", nil, false, 1},
		{"key set", []byte(signOutKey), false, 0},
		{"sign-out off", nil, true, 0},
	} {
		buf := &faultnet.LockedBuffer{}
		cfg := lbConfig(tc.key, slog.New(slog.NewTextHandler(buf, nil)))
		cfg.SignOut.Disabled = tc.disabled
		mw, err := middleware.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		h := mw.Wrap(lbApp(t))
		for _, path := range []string{"/", "/login", "/", "/_chatident/zendesk/token"} {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
		}
		log := buf.String()
		if n := strings.Count(log, "level=WARN"); n != tc.want {
			t.Errorf("%s: %d warnings, want %d:\n%s", tc.name, n, tc.want, log)
		}
		if tc.want > 0 && !strings.Contains(log, "set Config.SignOut.HashKey to the same secret") {
			t.Errorf("%s: the warning does not name the fix:\n%s", tc.name, log)
		}
	}
}

func hasAnyReset(body string) bool {
	for _, e := range pageVendors(nil, body) {
		if e.Reset {
			return true
		}
	}
	return false
}

// pageEntry is one vendor's entry in a page's data.
type pageEntry struct {
	Reset bool
	Mode  string
	Data  map[string]any
}

// pageVendors returns the vendor entries of the page script's data, or
// none when the page has no script. t may be nil: a malformed page then
// has no entries.
func pageVendors(t *testing.T, page string) map[string]pageEntry {
	_, data, ok := strings.Cut(page, ` data-chatident='`)
	if !ok {
		return nil
	}
	data, _, _ = strings.Cut(data, "'")
	var doc struct{ Vendors map[string]pageEntry }
	if err := json.Unmarshal([]byte(html.UnescapeString(data)), &doc); err != nil && t != nil {
		t.Fatalf("page data %q: %v", data, err)
	}
	return doc.Vendors
}

// webimID returns the id in the page's Webim visitor object (the opaque id
// both instances must derive alike), or "".
func webimID(t *testing.T, page string) string {
	t.Helper()
	e := pageVendors(t, page)["webim"]
	if e.Mode != "identify" {
		return ""
	}
	obj, _ := e.Data["visitor"].(map[string]any)
	return fieldsID(obj)
}

// fieldsID returns fields.id of a Webim visitor object, or "".
func fieldsID(obj map[string]any) string {
	fields, _ := obj["fields"].(map[string]any)
	id, _ := fields["id"].(string)
	return id
}
