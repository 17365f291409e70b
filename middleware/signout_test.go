package middleware

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/chatident/chatident/vendors"
)

// markerFrom returns the marker cookie a page set, or nil.
func markerFrom(t testing.TB, p built) *http.Cookie {
	t.Helper()
	var found *http.Cookie
	for _, line := range p.header["Set-Cookie"] {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			t.Fatalf("Set-Cookie %q: %v", line, err)
		}
		if c.Name != DefaultSignOutCookie {
			continue
		}
		if found != nil {
			t.Fatalf("marker set twice: %q", p.header["Set-Cookie"])
		}
		found = c
	}
	return found
}

func signOutMiddleware(t *testing.T, rec *recorder, vs ...vendors.Vendor) *Middleware {
	t.Helper()
	if len(vs) == 0 {
		vs = []vendors.Vendor{&fakeVendor{name: "webim"}, &fakeVendor{name: "zendesk"}}
	}
	cfg := Config{Vendors: vs, SignOut: SignOut{HashKey: []byte(testKey)}}
	if rec != nil {
		cfg.Observer = rec
	}
	return mustNew(t, cfg)
}

func TestSignOutMarkerSetOnIdentifiedPage(t *testing.T) {
	m := signOutMiddleware(t, nil)
	p := buildPage(m, visitorRequest("user-42"), "")
	c := markerFrom(t, p)
	if c == nil {
		t.Fatalf("identified page set no marker; headers %v", p.header)
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
		t.Errorf("marker = %+v, want HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP", c)
	}
	if c.MaxAge != markerMaxAge {
		t.Errorf("marker Max-Age = %d, want %d", c.MaxAge, markerMaxAge)
	}
	raw, _ := base64.URLEncoding.DecodeString(c.Value)
	for _, s := range []string{c.Value, string(raw)} {
		if strings.Contains(s, "user-42") || strings.Contains(s, base64.URLEncoding.EncodeToString([]byte("user-42"))) {
			t.Errorf("marker carries the visitor's id: %q", s)
		}
	}

	r := visitorRequest("user-42")
	r.TLS = &tls.ConnectionState{}
	if c := markerFrom(t, buildPage(m, r, "")); c == nil || !c.Secure {
		t.Errorf("marker over TLS = %+v, want Secure", c)
	}
}

func TestSignOutResetOnceAfterSignOut(t *testing.T) {
	rec := &recorder{}
	m := signOutMiddleware(t, rec)
	marker := markerFrom(t, buildPage(m, visitorRequest("user-42"), ""))
	rec.take()

	// Still signed in, marker present: nothing to reset, nothing to set.
	p := buildPage(m, visitorRequest("user-42", marker), "")
	if strings.Contains(string(p.script), "reset") || len(p.header["Set-Cookie"]) != 0 {
		t.Errorf("same visitor again: script %q, Set-Cookie %q; want no reset, no cookie", p.script, p.header["Set-Cookie"])
	}
	rec.take()

	// Signed out: every vendor resets once, before the anonymous scripts.
	p = buildPage(m, withCookies("/", marker), "")
	want := wrapped("webim.reset();") + wrapped("zendesk.reset();") +
		wrapped("webim.anonymous();") + wrapped("zendesk.anonymous();")
	if string(p.script) != want {
		t.Errorf("first anonymous page script =\n%s\nwant\n%s", p.script, want)
	}
	expired := markerFrom(t, p)
	if expired == nil || expired.MaxAge >= 0 || expired.Value != "" {
		t.Errorf("first anonymous page marker = %+v, want it expired", expired)
	}
	wantEvents := []Event{
		{Kind: EventResponse, Reason: "injected", Held: 7},
		{Kind: EventReset, Vendor: "webim"},
		{Kind: EventReset, Vendor: "zendesk"},
		{Kind: EventInjection, Vendor: "webim", Reason: "anonymous"},
		{Kind: EventInjection, Vendor: "zendesk", Reason: "anonymous"},
	}
	if got := rec.take(); !reflect.DeepEqual(got, wantEvents) {
		t.Errorf("events = %+v\nwant %+v", got, wantEvents)
	}

	// Then nothing: the browser has dropped the marker.
	p = buildPage(m, withCookies("/"), "")
	if strings.Contains(string(p.script), "reset") || len(p.header["Set-Cookie"]) != 0 {
		t.Errorf("second anonymous page: script %q, Set-Cookie %q; want no reset, no cookie", p.script, p.header["Set-Cookie"])
	}
}

func TestSignOutResetBeforeNewIdentity(t *testing.T) {
	m := signOutMiddleware(t, nil)
	marker := markerFrom(t, buildPage(m, visitorRequest("user-42"), ""))

	p := buildPage(m, visitorRequest("user-43", marker), "")

	want := wrapped("webim.reset();") + wrapped("zendesk.reset();") +
		wrapped(`webim.identify("user-43","/_chatident/webim/");`) +
		wrapped(`zendesk.identify("user-43","/_chatident/zendesk/");`)
	if string(p.script) != want {
		t.Errorf("script =\n%s\nwant\n%s", p.script, want)
	}
	next := markerFrom(t, p)
	if next == nil || next.MaxAge <= 0 || next.Value == marker.Value {
		t.Fatalf("new visitor's marker = %+v, want a fresh one", next)
	}
	// The new marker is user-43's: no reset for them, one for user-42.
	if p := buildPage(m, visitorRequest("user-43", next), ""); strings.Contains(string(p.script), "reset") {
		t.Errorf("user-43 with their own marker got resets: %q", p.script)
	}
	if p := buildPage(m, visitorRequest("user-42", next), ""); !strings.Contains(string(p.script), "reset") {
		t.Errorf("user-42 with user-43's marker got no reset: %q", p.script)
	}
}

func TestSignOutUntrustedMarker(t *testing.T) {
	m := signOutMiddleware(t, nil)
	good := markerFrom(t, buildPage(m, visitorRequest("user-42"), ""))
	other := mustNew(t, Config{Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}}}) // random key, as after a restart
	foreign := markerFrom(t, buildPage(other, visitorRequest("user-42"), ""))
	tampered := *good
	tampered.Value = good.Value[:len(good.Value)-4] + "AAAA"

	for name, c := range map[string]*http.Cookie{
		"tampered":                             &tampered,
		"other key":                            foreign,
		"not base64":                           {Name: DefaultSignOutCookie, Value: "!!!"},
		"empty":                                {Name: DefaultSignOutCookie, Value: ""},
		"securecookie of a wrong-length value": mustEncodeMarker(t, m, []byte("short")),
	} {
		p := buildPage(m, withCookies("/", c), "")
		if strings.Contains(string(p.script), "reset") {
			t.Errorf("%s marker: anonymous page reset: %q", name, p.script)
		}
		if got := markerFrom(t, p); got == nil || got.MaxAge >= 0 {
			t.Errorf("%s marker: anonymous page left it in place (%+v), want it expired", name, got)
		}
		p = buildPage(m, visitorRequest("user-42", c), "")
		if strings.Contains(string(p.script), "reset") {
			t.Errorf("%s marker: identified page reset: %q", name, p.script)
		}
		if got := markerFrom(t, p); got == nil || got.MaxAge <= 0 {
			t.Errorf("%s marker: identified page did not replace it (%+v)", name, got)
		}
	}
}

func mustEncodeMarker(t *testing.T, m *Middleware, value []byte) *http.Cookie {
	t.Helper()
	v, err := m.signOut.codec.Encode(DefaultSignOutCookie, value)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Cookie{Name: DefaultSignOutCookie, Value: v}
}

func TestSignOutVendorWithoutResetCode(t *testing.T) {
	m := mustNew(t, Config{
		Vendors: []vendors.Vendor{
			&fakeVendor{name: "webim", noReset: true},
			&fakeVendor{name: "zendesk"},
		},
		SignOut: SignOut{HashKey: []byte(testKey)},
	})
	marker := markerFrom(t, buildPage(m, visitorRequest("user-42"), ""))
	p := buildPage(m, withCookies("/", marker), "")
	if want := wrapped("zendesk.reset();") + wrapped("webim.anonymous();") + wrapped("zendesk.anonymous();"); string(p.script) != want {
		t.Errorf("script = %q, want %q", p.script, want)
	}
	if got := markerFrom(t, p); got == nil || got.MaxAge >= 0 {
		t.Errorf("marker = %+v, want it expired", got)
	}
}

// TestSignOutPageWithoutMarkerKeepsTheReset: a page whose script was not
// placed (no marker in it) leaves the sign-out marker alone, so the next
// page carries the resets.
func TestSignOutPageWithoutMarkerKeepsTheReset(t *testing.T) {
	rec := &recorder{}
	m := signOutMiddleware(t, rec)
	marker := markerFrom(t, buildPage(m, visitorRequest("user-42"), ""))
	rec.take()

	p := buildPage(m, withCookies("/", marker), "no_marker")

	if got := markerFrom(t, p); got != nil {
		t.Errorf("marker = %+v, want it kept for the next page", got)
	}
	want := []Event{{Kind: EventResponse, Reason: "no_marker", Held: 7}}
	if got := rec.take(); !reflect.DeepEqual(got, want) {
		t.Errorf("events = %+v, want %+v (no reset was placed)", got, want)
	}
}

func TestSignOutDisabled(t *testing.T) {
	on := signOutMiddleware(t, nil)
	marker := markerFrom(t, buildPage(on, visitorRequest("user-42"), ""))
	off := mustNew(t, Config{
		Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}},
		SignOut: SignOut{Disabled: true, HashKey: []byte(testKey)},
	})
	for _, r := range []*http.Request{visitorRequest("user-42"), withCookies("/", marker)} {
		p := buildPage(off, r, "")
		if len(p.header["Set-Cookie"]) != 0 || strings.Contains(string(p.script), "reset") {
			t.Errorf("disabled: Set-Cookie %q, script %q; want neither cookie nor reset", p.header["Set-Cookie"], p.script)
		}
	}
}

func TestSignOutCookieName(t *testing.T) {
	m := mustNew(t, Config{
		Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}},
		SignOut: SignOut{CookieName: "seen", HashKey: []byte(testKey)},
	})
	p := buildPage(m, visitorRequest("user-42"), "")
	if got := p.header.Get("Set-Cookie"); !strings.HasPrefix(got, "seen=") {
		t.Errorf("Set-Cookie = %q, want the configured name", got)
	}
}

func TestSignOutVisitorHash(t *testing.T) {
	// python3 -c "import hmac,hashlib
	// key=b'test-key-not-a-secret-0123456789abcdef'
	// idk=hmac.new(key,b'chatident sign-out marker: visitor id',hashlib.sha256).digest()
	// print(hmac.new(idk,b'user-42',hashlib.sha256).hexdigest())"
	const want = "3c6d98f66e4f0408a1be117ed8cc704a8008e086844ee0a897811a5d77d30e87"
	s := newSignOut(SignOut{HashKey: []byte(testKey)}, 16)
	if got := hexOf(s.visitorHash("user-42")); got != want {
		t.Errorf("visitorHash = %s, want %s", got, want)
	}
}

func TestSignOutRandomKeyPerMiddleware(t *testing.T) {
	a := newSignOut(SignOut{}, 16)
	b := newSignOut(SignOut{}, 16)
	if reflect.DeepEqual(a.visitorHash("u"), b.visitorHash("u")) {
		t.Error("two middlewares without a HashKey derived the same key")
	}
}

// The visitor-hash state is pooled and reused: a long id, then a short one
// from the same state, then the first result again, each still right.
func TestSignOutVisitorHashReusedState(t *testing.T) {
	// python3 -c "import hmac,hashlib
	// key=b'test-key-not-a-secret-0123456789abcdef'
	// idk=hmac.new(key,b'chatident sign-out marker: visitor id',hashlib.sha256).digest()
	// print(hmac.new(idk,b'u'*3000,hashlib.sha256).hexdigest())"
	const wantLong = "a0381860d0a8a613608c9298c10655fca2fc77ddcd9ab2db41d37ddb16b8b844"
	// The TestSignOutVisitorHash command with b'user-42'.
	const wantShort = "3c6d98f66e4f0408a1be117ed8cc704a8008e086844ee0a897811a5d77d30e87"
	s := newSignOut(SignOut{HashKey: []byte(testKey)}, 16)
	long := s.visitorHash(strings.Repeat("u", 3000))
	for i := range 3 {
		if got := hexOf(s.visitorHash("user-42")); got != wantShort {
			t.Fatalf("round %d: visitorHash = %s, want %s", i, got, wantShort)
		}
	}
	if got := hexOf(long); got != wantLong {
		t.Errorf("long id: visitorHash = %s, want %s", got, wantLong)
	}
}

func hexOf(b [32]byte) string { return hex.EncodeToString(b[:]) }

// TestSignOutPrefetchKeepsTheReset: a speculative prefetch after sign-out
// carries the resets (the page runs them if the visitor follows the link)
// but leaves the marker, so the page the visitor does load resets too; a
// prerender, whose scripts run at once, consumes the marker like any page.
func TestSignOutPrefetchKeepsTheReset(t *testing.T) {
	m := signOutMiddleware(t, nil)
	marker := markerFrom(t, buildPage(m, visitorRequest("user-42"), ""))
	for _, hdr := range []http.Header{
		{"Sec-Purpose": {"prefetch"}},
		{"Sec-Purpose": {"prefetch;anonymous-client-ip"}},
		{"Purpose": {"prefetch"}},
		{"X-Moz": {"prefetch"}},
		{"X-Purpose": {"preview"}},
	} {
		r := withCookies("/", marker)
		for k, v := range hdr {
			r.Header[k] = v
		}
		p := buildPage(m, r, "")
		if !strings.Contains(string(p.script), "webim.reset();") {
			t.Errorf("%v: prefetched page script %q, want the resets", hdr, p.script)
		}
		if got := markerFrom(t, p); got != nil {
			t.Errorf("%v: marker = %+v, want it kept for the page the visitor loads", hdr, got)
		}
	}
	r := withCookies("/", marker)
	r.Header.Set("Sec-Purpose", "prefetch;prerender")
	if got := markerFrom(t, buildPage(m, r, "")); got == nil || got.MaxAge >= 0 {
		t.Errorf("prerendered page marker = %+v, want it expired", got)
	}
	// The page the visitor then loads resets and consumes.
	p := buildPage(m, withCookies("/", marker), "")
	if !strings.Contains(string(p.script), "webim.reset();") {
		t.Errorf("page after a prefetch: script %q, want the resets", p.script)
	}
	if got := markerFrom(t, p); got == nil || got.MaxAge >= 0 {
		t.Errorf("page after a prefetch: marker = %+v, want it expired", got)
	}
}
