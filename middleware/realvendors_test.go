package middleware_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/net/html"

	"github.com/chatident/chatident/internal/testenv"
	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// Integration with the real vendors of package vendors.

// Every key here is a distinct, obviously fake test value, so a test can
// tell which secret leaked if one does.
const (
	loginSecret   = "test-login-key-not-a-secret-0123456789"
	webimKey      = "test-webim-key-not-a-secret-0123"
	webimIDKey    = "test-webim-idkey-not-a-secret-01"
	ednaIDKey     = "test-edna-idkey-not-a-secret-012"
	helpKey       = "test-helpcrunch-key-not-a-secret"
	zendeskSecret = "test-zendesk-key-not-a-secret-01"
	signOutKey    = "test-signout-key-not-a-secret-0123"
)

type events struct {
	mu sync.Mutex
	e  []middleware.Event
}

func (o *events) Observe(_ context.Context, e middleware.Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.e = append(o.e, e)
}

func (o *events) take() []middleware.Event {
	o.mu.Lock()
	defer o.mu.Unlock()
	e := o.e
	o.e = nil
	return e
}

func realSetup(t *testing.T) (http.Handler, *events) {
	t.Helper()
	obs := &events{}
	mw, err := middleware.New(middleware.Config{
		Vendors: []vendors.Vendor{
			&vendors.Webim{PrivateKey: []byte(webimKey), IDKey: []byte(webimIDKey)},
			&vendors.Edna{IDKey: []byte(ednaIDKey)},
			&vendors.HelpCrunch{Organization: "shop", AppID: "3", Secret: []byte(helpKey)},
			&vendors.Zendesk{Secret: []byte(zendeskSecret), AccountKey: "acct-key"},
		},
		Sources:  []middleware.Source{&middleware.JWTCookie{Secret: []byte(loginSecret)}},
		SignOut:  middleware.SignOut{HashKey: []byte(signOutKey)},
		Observer: obs,
	})
	if err != nil {
		t.Fatal(err)
	}
	return mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><html><head><title>Shop</title></head><body><p>Hi</p></body></html>")
	})), obs
}

func loginCookie(t *testing.T, claims jwt.MapClaims) *http.Cookie {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(loginSecret))
	if err != nil {
		t.Fatal(err)
	}
	return &http.Cookie{Name: "token", Value: tok}
}

func get(h http.Handler, path string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// scriptsAndData is scripts with each element's data-chatident attribute,
// as a browser reads it.
func scriptsAndData(t *testing.T, page string) (out, data []string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "script" {
			var b strings.Builder
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				b.WriteString(c.Data)
			}
			out = append(out, b.String())
			d := ""
			for _, a := range n.Attr {
				if a.Key == "data-chatident" {
					d = a.Val
				}
			}
			data = append(data, d)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out, data
}

// nodeCheck asks node whether js is syntactically valid JavaScript.
func nodeCheck(t *testing.T, js string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if !testenv.Want(t, err == nil, "node", "install Node.js to check the JavaScript syntax") {
		return
	}
	f := filepath.Join(t.TempDir(), "page.js")
	if err := os.WriteFile(f, []byte(js), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(node, "--check", f).CombinedOutput(); err != nil {
		t.Errorf("node --check: %v\n%s\n%s", err, out, js)
	}
}

func markerOf(w *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == middleware.DefaultSignOutCookie {
			return c
		}
	}
	return nil
}

func TestRealVendorsPage(t *testing.T) {
	h, obs := realSetup(t)
	login := loginCookie(t, jwt.MapClaims{
		"sub": "xsolla-user-1", "email": "ann@example.com",
		// A hostile name: every vendor must encode it.
		"name": "Ann</script><script>alert(1)</script>\u2028<!--",
		"iat":  time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
	})

	w := get(h, "/", login)

	body := w.Body.String()
	s, data := scriptsAndData(t, body)
	if len(s) != 1 {
		t.Fatalf("page has %d script elements, want 1:\n%s", len(s), body)
	}
	for _, want := range []string{
		"w.webim_visitor=d.visitor", `"/_chatident/webim/refresh"`,
		`w["clientId"]=d.id`,
		`HelpCrunch("init","shop",d&&d.user?{appId:"3",user:d.user}:{appId:"3"})`,
		"zChat.init(", `"/_chatident/zendesk/token"`,
	} {
		if !strings.Contains(s[0], want) {
			t.Errorf("script lacks %q:\n%s", want, s[0])
		}
	}
	var doc struct {
		V       int
		Vendors map[string]struct {
			Mode string
			Data map[string]any
		}
	}
	if err := json.Unmarshal([]byte(data[0]), &doc); err != nil || doc.V != 1 {
		t.Fatalf("page data %q: %v", data[0], err)
	}
	for _, name := range []string{"webim", "edna", "helpcrunch", "zendesk"} {
		if doc.Vendors[name].Mode != "identify" {
			t.Errorf("%s: mode %q, want identify", name, doc.Vendors[name].Mode)
		}
	}
	// The opaque user_id, the default:
	// printf '%s' xsolla-user-1 | openssl dgst -sha256 -hmac test-helpcrunch-key-not-a-secret
	if u, _ := doc.Vendors["helpcrunch"].Data["user"].(map[string]any); u["user_id"] != "fcfa3a3711c4e7b2f65fb3662ebde0bf3168733e92f13ce53d0ccabf8e281a3a" ||
		u["name"] != "Ann</script><script>alert(1)</script>\u2028<!--" {
		t.Errorf("helpcrunch user = %v", u)
	}
	for _, key := range []string{loginSecret, webimKey, webimIDKey, ednaIDKey, helpKey, zendeskSecret, signOutKey} {
		if strings.Contains(body, key) {
			t.Errorf("page carries the secret %q", key)
		}
	}
	for i := 0; i < len(body); i++ {
		if body[i] >= 0x80 {
			t.Fatalf("page has a non-ASCII byte at %d", i)
		}
	}
	nodeCheck(t, s[0])
	if markerOf(w) == nil {
		t.Error("identified page set no sign-out marker")
	}
	want := []middleware.Event{
		{Kind: middleware.EventResponse, Reason: "injected"},
		{Kind: middleware.EventInjection, Vendor: "webim", Reason: "identify"},
		{Kind: middleware.EventInjection, Vendor: "edna", Reason: "identify"},
		{Kind: middleware.EventInjection, Vendor: "helpcrunch", Reason: "identify"},
		{Kind: middleware.EventInjection, Vendor: "zendesk", Reason: "identify"},
	}
	if got := obs.take(); !reflect.DeepEqual(got, want) {
		t.Errorf("events = %+v\nwant %+v", got, want)
	}
}

func TestRealVendorsSignOut(t *testing.T) {
	h, obs := realSetup(t)
	login := loginCookie(t, jwt.MapClaims{"sub": "xsolla-user-1", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()})
	marker := markerOf(get(h, "/", login))
	if marker == nil {
		t.Fatal("no marker")
	}
	obs.take()

	w := get(h, "/", marker) // signed out: no login cookie

	s, data := scriptsAndData(t, w.Body.String())
	if len(s) != 1 {
		t.Fatalf("%d script elements, want 1", len(s))
	}
	var doc struct {
		Vendors map[string]struct {
			Reset bool
			Mode  string
		}
	}
	if err := json.Unmarshal([]byte(data[0]), &doc); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"webim", "edna", "helpcrunch", "zendesk"} {
		if !doc.Vendors[name].Reset {
			t.Errorf("%s: no reset in %s", name, data[0])
		}
	}
	if doc.Vendors["helpcrunch"].Mode != "anonymous" || doc.Vendors["edna"].Mode != "" {
		t.Errorf("anonymous modes: %s", data[0])
	}
	nodeCheck(t, s[0])
	if c := markerOf(w); c == nil || c.MaxAge >= 0 {
		t.Errorf("marker = %+v, want it expired", c)
	}
	got := obs.take()
	resetEvents := 0
	for _, e := range got {
		if e.Kind == middleware.EventReset {
			resetEvents++
		}
	}
	if resetEvents != 4 {
		t.Errorf("events = %+v, want 4 EventReset", got)
	}

	// The browser dropped the marker: the next page has no reset.
	if _, d := scriptsAndData(t, get(h, "/").Body.String()); len(d) != 1 || strings.Contains(d[0], "reset") {
		t.Errorf("second anonymous page: %q", d)
	}
}

func TestRealVendorsEndpoints(t *testing.T) {
	h, obs := realSetup(t)
	login := loginCookie(t, jwt.MapClaims{"sub": "xsolla-user-1", "email": "ann@example.com", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()})

	w := get(h, "/_chatident/zendesk/token", login)
	if w.Code != http.StatusOK {
		t.Fatalf("token: %d %s", w.Code, w.Body)
	}
	var body struct{ Token string }
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(body.Token, claims, func(*jwt.Token) (any, error) { return []byte(zendeskSecret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired()); err != nil {
		t.Fatalf("Zendesk token does not verify: %v", err)
	}
	if claims["external_id"] != "xsolla-user-1" || claims["email"] != "ann@example.com" {
		t.Errorf("Zendesk claims = %v, want the login token's sub and email", claims)
	}

	if w := get(h, "/_chatident/zendesk/token"); w.Code != http.StatusUnauthorized {
		t.Errorf("anonymous token request: %d, want 401", w.Code)
	}
	r := httptest.NewRequest(http.MethodGet, "/_chatident/zendesk/token", nil)
	r.AddCookie(login)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	r.Header.Set("Origin", "https://evil.example")
	cross := httptest.NewRecorder()
	h.ServeHTTP(cross, r)
	if cross.Code != http.StatusForbidden {
		t.Errorf("cross-site token request: %d, want 403", cross.Code)
	}
	if w := get(h, "/_chatident/webim/refresh", login); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"hash":"`) {
		t.Errorf("webim refresh: %d %s", w.Code, w.Body)
	}
	if w := get(h, "/_chatident/edna/token", login); w.Code != http.StatusNotFound {
		t.Errorf("edna has no endpoints: %d, want 404", w.Code)
	}

	want := []middleware.Event{
		{Kind: middleware.EventToken, Vendor: "zendesk", Reason: "issued"},
		{Kind: middleware.EventToken, Vendor: "zendesk", Reason: "anonymous"},
		{Kind: middleware.EventToken, Vendor: "zendesk", Reason: "cross_site"},
		{Kind: middleware.EventToken, Vendor: "webim", Reason: "issued"},
	}
	if got := obs.take(); !reflect.DeepEqual(got, want) {
		t.Errorf("events = %+v\nwant %+v", got, want)
	}
}

func TestRealVendorConfigErrors(t *testing.T) {
	_, err := middleware.New(middleware.Config{Vendors: []vendors.Vendor{
		&vendors.Webim{PrivateKey: []byte(webimKey), IDKey: []byte(webimIDKey)},
		&vendors.Zendesk{AccountKey: "acct-key"}, // no Secret
	}})
	var ce *vendors.ConfigError
	if err == nil || !strings.HasPrefix(err.Error(), "chatident: Config.Vendors[1]: zendesk: Secret") {
		t.Errorf("New error = %v, want it to name Vendors[1], zendesk and Secret", err)
	}
	if !errors.As(err, &ce) || ce.Vendor != "zendesk" || ce.Field != "Secret" {
		t.Errorf("errors.As = %+v, want zendesk's Secret", ce)
	}
}
