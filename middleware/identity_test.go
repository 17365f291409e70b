package middleware_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// realConfig is realSetup's configuration, for tests that change it.
func realConfig(obs middleware.Observer) middleware.Config {
	return middleware.Config{
		Vendors: []vendors.Vendor{
			&vendors.Webim{PrivateKey: []byte(webimKey), IDKey: []byte(webimIDKey)},
			&vendors.Edna{IDKey: []byte(ednaIDKey)},
			&vendors.HelpCrunch{Organization: "shop", AppID: "3", Secret: []byte(helpKey)},
			&vendors.Zendesk{Secret: []byte(zendeskSecret), AccountKey: "acct-key"},
		},
		Sources:  []middleware.Source{&middleware.JWTCookie{Secret: []byte(loginSecret)}},
		SignOut:  middleware.SignOut{HashKey: []byte(signOutKey)},
		Observer: obs,
		// A fixed clock: the page and the identity answer built in the
		// same test then carry the same Webim signature.
		Now: func() time.Time { return time.Unix(1_900_000_000, 0) },
	}
}

func wrapReal(t *testing.T, cfg middleware.Config) http.Handler {
	t.Helper()
	mw, err := middleware.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><html><head><title>Shop</title></head><body><p>Hi</p></body></html>")
	}))
}

func testLogin(t *testing.T) *http.Cookie {
	return loginCookie(t, jwt.MapClaims{"sub": "xsolla-user-1", "email": "ann@example.com", "name": "Ann",
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()})
}

// request builds a GET with cookies and header pairs.
func request(method, path string, header map[string]string, cookies ...*http.Cookie) *http.Request {
	r := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return r
}

func serveReal(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// pageData returns the data-chatident attribute of a page's one script.
func pageData(t *testing.T, page string) string {
	t.Helper()
	_, data := scriptsAndData(t, page)
	if len(data) != 1 {
		t.Fatalf("%d scripts in the page, want 1: %s", len(data), page)
	}
	return data[0]
}

type identityDoc struct {
	V        int
	Withheld bool
	Vendors  map[string]struct {
		Reset bool
		Mode  string
		Data  json.RawMessage
	}
}

func parseIdentity(t *testing.T, body string) identityDoc {
	t.Helper()
	var d identityDoc
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("identity answer %q: %v", body, err)
	}
	if d.V != 1 {
		t.Fatalf("identity answer %q: v = %d", body, d.V)
	}
	return d
}

// The identity endpoint answers exactly the data a page served at the same
// moment carries, with the headers of an uncacheable same-origin answer.
func TestIdentityMatchesThePage(t *testing.T) {
	h := wrapReal(t, realConfig(nil))
	login := testLogin(t)
	nav := map[string]string{"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}
	fetch := map[string]string{"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin"}
	for _, tc := range []struct {
		name    string
		cookies []*http.Cookie
	}{{"signed in", []*http.Cookie{login}}, {"anonymous", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			page := serveReal(h, request("GET", "/", nav, tc.cookies...))
			w := serveReal(h, request("GET", "/_chatident/identity", fetch, tc.cookies...))
			if w.Code != http.StatusOK {
				t.Fatalf("identity: %d %s", w.Code, w.Body)
			}
			if got, want := w.Body.String(), pageData(t, page.Body.String()); got != want {
				t.Errorf("identity answer\n%s\nwant the page's data\n%s", got, want)
			}
			hd := w.Result().Header
			for k, want := range map[string]string{"Cache-Control": "no-store", "Content-Type": "application/json",
				"X-Content-Type-Options": "nosniff", "Access-Control-Allow-Origin": ""} {
				if got := hd.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
		})
	}
}

// After a sign-out, the identity endpoint carries every reset once and
// expires the marker, as the first page would.
func TestIdentityConsumesTheReset(t *testing.T) {
	h := wrapReal(t, realConfig(nil))
	marker := markerOf(serveReal(h, request("GET", "/", nil, testLogin(t))))
	if marker == nil {
		t.Fatal("no marker on the signed-in page")
	}
	// An htmx partial after sign-out leaves the reset alone.
	partial := serveReal(h, request("GET", "/", map[string]string{"HX-Request": "true"}, marker))
	if len(partial.Result().Cookies()) != 0 || strings.Contains(partial.Body.String(), "<script") {
		t.Fatalf("partial after sign-out: cookies %v, body %s", partial.Result().Cookies(), partial.Body)
	}
	w := serveReal(h, request("GET", "/_chatident/identity", nil, marker))
	d := parseIdentity(t, w.Body.String())
	for _, name := range []string{"webim", "edna", "helpcrunch", "zendesk"} {
		if !d.Vendors[name].Reset {
			t.Errorf("%s: no reset in %s", name, w.Body)
		}
	}
	if c := markerOf(w); c == nil || c.MaxAge >= 0 {
		t.Errorf("marker = %+v, want it expired", c)
	}
	if strings.Contains(serveReal(h, request("GET", "/_chatident/identity", nil)).Body.String(), "reset") {
		t.Error("second answer carries the reset again")
	}
	// Signed in again: the answer sets the marker, as an identified page does.
	if c := markerOf(serveReal(h, request("GET", "/_chatident/identity", nil, testLogin(t)))); c == nil || c.MaxAge <= 0 {
		t.Errorf("identified answer: marker %+v, want it set", c)
	}
}

func TestIdentityRefusals(t *testing.T) {
	obs := &events{}
	h := wrapReal(t, realConfig(obs))
	login := testLogin(t)
	for _, tc := range []struct {
		name   string
		method string
		site   string
		want   int
	}{
		{"cross-site", "GET", "cross-site", http.StatusForbidden},
		{"same-site (a sibling subdomain)", "GET", "same-site", http.StatusForbidden},
		{"POST", "POST", "same-origin", http.StatusMethodNotAllowed},
		{"same-origin", "GET", "same-origin", http.StatusOK},
		{"typed into the address bar", "GET", "none", http.StatusOK},
		{"no Fetch Metadata", "GET", "", http.StatusOK},
		{"HEAD", "HEAD", "same-origin", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.site != "" {
				hdr["Sec-Fetch-Site"] = tc.site
			}
			w := serveReal(h, request(tc.method, "/_chatident/identity", hdr, login))
			if w.Code != tc.want {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, tc.want)
			}
			if cc := w.Result().Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			if tc.want != http.StatusOK {
				if strings.Contains(w.Body.String(), "xsolla") || len(w.Result().Cookies()) != 0 {
					t.Errorf("refused answer carries identity or a cookie: %s %v", w.Body, w.Result().Cookies())
				}
			}
			if tc.method == "HEAD" && w.Body.Len() != 0 {
				t.Errorf("HEAD body %q", w.Body)
			}
			if tc.want == http.StatusMethodNotAllowed && w.Result().Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow %q", w.Result().Header.Get("Allow"))
			}
		})
	}
	var reasons []string
	for _, e := range obs.take() {
		if e.Kind == middleware.EventResponse {
			reasons = append(reasons, e.Reason)
		}
	}
	if want := "identity_refused identity_refused identity_refused identity identity identity identity"; strings.Join(reasons, " ") != want {
		t.Errorf("response events %q, want %q", reasons, want)
	}
}

// No secret, nor any encoding of one, is in an identity answer.
func TestIdentityCarriesNoSecret(t *testing.T) {
	h := wrapReal(t, realConfig(nil))
	login := testLogin(t)
	marker := markerOf(serveReal(h, request("GET", "/", nil, login)))
	for _, w := range []*httptest.ResponseRecorder{
		serveReal(h, request("GET", "/_chatident/identity", nil, login)),
		serveReal(h, request("GET", "/_chatident/identity", nil, marker)),
	} {
		all := w.Body.String()
		for k, v := range w.Result().Header {
			all += k + ": " + strings.Join(v, ",") + "\n"
		}
		for _, s := range []string{loginSecret, webimKey, webimIDKey, ednaIDKey, helpKey, zendeskSecret, signOutKey} {
			for _, enc := range []string{s, hex.EncodeToString([]byte(s)), base64.StdEncoding.EncodeToString([]byte(s)),
				base64.RawURLEncoding.EncodeToString([]byte(s))} {
				if strings.Contains(all, enc) {
					t.Errorf("identity answer carries a secret (%q): %s", s, all)
				}
			}
		}
	}
}

// consentCookie is how the tests' consent manager records consent.
var consentCookie = &http.Cookie{Name: "consent", Value: "chat"}

func hasConsent(r *http.Request) bool {
	c, err := r.Cookie("consent")
	return err == nil && c.Value == "chat"
}

func TestConsent(t *testing.T) {
	login := testLogin(t)
	for _, mode := range []middleware.ConsentMode{middleware.ConsentAnonymous, middleware.ConsentNothing} {
		cfg := realConfig(nil)
		cfg.Consent = hasConsent
		cfg.WithoutConsent = mode
		h := wrapReal(t, cfg)
		name := map[middleware.ConsentMode]string{middleware.ConsentAnonymous: "ConsentAnonymous", middleware.ConsentNothing: "ConsentNothing"}[mode]
		t.Run(name, func(t *testing.T) {
			// Withheld: a signed-in visitor's page and identity answer carry
			// no identity, and no marker is set.
			page := serveReal(h, request("GET", "/", nil, login))
			data := pageData(t, page.Body.String())
			id := serveReal(h, request("GET", "/_chatident/identity", nil, login))
			for what, s := range map[string]string{"page data": data, "identity": id.Body.String()} {
				if strings.Contains(s, `"identify"`) || strings.Contains(s, "xsolla") {
					t.Errorf("%s without consent carries an identity: %s", what, s)
				}
			}
			if id.Body.String() != data {
				t.Errorf("identity %s, want the page's %s", id.Body, data)
			}
			if markerOf(page) != nil || markerOf(id) != nil {
				t.Error("a marker was set without consent")
			}
			d := parseIdentity(t, data)
			switch mode {
			case middleware.ConsentAnonymous:
				if d.Withheld || d.Vendors["helpcrunch"].Mode != "anonymous" || d.Vendors["zendesk"].Mode != "anonymous" {
					t.Errorf("ConsentAnonymous: %s, want each vendor's anonymous mode", data)
				}
			case middleware.ConsentNothing:
				if !d.Withheld || len(d.Vendors) != 0 {
					t.Errorf("ConsentNothing: %s, want the runtime alone with no vendor", data)
				}
			}
			if w := serveReal(h, request("GET", "/_chatident/zendesk/token", nil, login)); w.Code != http.StatusUnauthorized {
				t.Errorf("token without consent: %d %s, want 401", w.Code, w.Body)
			}
			if w := serveReal(h, request("GET", "/_chatident/webim/refresh", nil, login)); w.Code == http.StatusOK {
				t.Errorf("Webim refresh without consent: %d %s", w.Code, w.Body)
			}

			// Given: the identity answer (what refresh() fetches) identifies
			// and sets the marker.
			id = serveReal(h, request("GET", "/_chatident/identity", nil, login, consentCookie))
			d = parseIdentity(t, id.Body.String())
			if d.Withheld || d.Vendors["webim"].Mode != "identify" || markerOf(id) == nil {
				t.Errorf("with consent: %s, marker %v", id.Body, markerOf(id))
			}
			if w := serveReal(h, request("GET", "/_chatident/zendesk/token", nil, login, consentCookie)); w.Code != http.StatusOK {
				t.Errorf("token with consent: %d", w.Code)
			}
			// Withdrawn: the marker still brings its resets.
			marker := markerOf(id)
			id = serveReal(h, request("GET", "/_chatident/identity", nil, login, marker))
			if d := parseIdentity(t, id.Body.String()); !d.Vendors["webim"].Reset || strings.Contains(id.Body.String(), `"identify"`) {
				t.Errorf("consent withdrawn: %s, want resets and no identity", id.Body)
			}
		})
	}
}

func TestConsentPanicIsNoConsent(t *testing.T) {
	cfg := realConfig(nil)
	cfg.Consent = func(*http.Request) bool { panic("consent manager broke") }
	w := serveReal(wrapReal(t, cfg), request("GET", "/_chatident/identity", nil, testLogin(t)))
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `"identify"`) {
		t.Errorf("%d %s, want 200 without identity", w.Code, w.Body)
	}
}

func TestConsentConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*middleware.Config)
		want string
	}{
		{"mode without Consent", func(c *middleware.Config) { c.WithoutConsent = middleware.ConsentNothing }, "Config.Consent is nil"},
		{"unknown mode", func(c *middleware.Config) { c.Consent = hasConsent; c.WithoutConsent = 7 }, "Config.WithoutConsent is 7"},
	} {
		cfg := realConfig(nil)
		tc.set(&cfg)
		if _, err := middleware.New(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}

// EveryPage puts the runtime on pages where no vendor has anything to do.
func TestEveryPage(t *testing.T) {
	for _, every := range []bool{false, true} {
		cfg := realConfig(nil)
		cfg.Vendors = []vendors.Vendor{&vendors.Edna{IDKey: []byte(ednaIDKey)}} // no anonymous code
		cfg.EveryPage = every
		body := serveReal(wrapReal(t, cfg), request("GET", "/", nil)).Body.String()
		s, data := scriptsAndData(t, body)
		switch {
		case !every && len(s) != 0:
			t.Errorf("EveryPage off: %d scripts, want none", len(s))
		case every && (len(s) != 1 || data[0] != `{"v":1,"vendors":{}}`):
			t.Errorf("EveryPage on: scripts %d, data %q", len(s), data)
		}
	}
}

// HEAD gets the headers but leaves the sign-out marker, and its resets, for
// a GET.
func TestIdentityHeadKeepsTheReset(t *testing.T) {
	h := wrapReal(t, realConfig(nil))
	marker := markerOf(serveReal(h, request("GET", "/", nil, testLogin(t))))
	head := serveReal(h, request("HEAD", "/_chatident/identity", nil, marker))
	if head.Code != http.StatusOK || head.Body.Len() != 0 || len(head.Result().Cookies()) != 0 {
		t.Fatalf("HEAD: %d, body %q, cookies %v", head.Code, head.Body, head.Result().Cookies())
	}
	get := serveReal(h, request("GET", "/_chatident/identity", nil, marker))
	if !strings.Contains(get.Body.String(), `"reset":true`) || markerOf(get) == nil {
		t.Errorf("GET after HEAD: %s, marker %v; want the resets", get.Body, markerOf(get))
	}
	if head.Result().Header.Get("Content-Length") != get.Result().Header.Get("Content-Length") {
		t.Errorf("HEAD Content-Length %q, GET %q", head.Result().Header.Get("Content-Length"), get.Result().Header.Get("Content-Length"))
	}
}

// A vendor that panics is left out of the answer, as out of a page; the
// others are served.
func TestIdentityVendorPanicLeavesItOut(t *testing.T) {
	cfg := realConfig(nil)
	cfg.Vendors = append(cfg.Vendors[:0:0], cfg.Vendors...)
	cfg.Vendors[2] = panickingVendor{cfg.Vendors[2]}
	w := serveReal(wrapReal(t, cfg), request("GET", "/_chatident/identity", nil, testLogin(t)))
	d := parseIdentity(t, w.Body.String())
	if w.Code != http.StatusOK || d.Vendors["webim"].Mode != "identify" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if _, ok := d.Vendors["helpcrunch"]; ok {
		t.Errorf("the panicking vendor is in the answer: %s", w.Body)
	}
}

// panickingVendor panics when asked for a visitor's data.
type panickingVendor struct{ vendors.Vendor }

func (p panickingVendor) Identify(context.Context, vendors.Request, vendors.Visitor, *vendors.Data) error {
	panic("vendor broke")
}
