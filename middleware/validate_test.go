package middleware

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/vendors"
)

const testKey = "test-key-not-a-secret-0123456789abcdef" // 38 bytes

func TestNewErrors(t *testing.T) {
	serve := func(http.ResponseWriter, vendors.Request, *vendors.Visitor) vendors.EndpointResult {
		return vendors.EndpointResult{}
	}
	withEndpoints := func(eps ...vendors.Endpoint) vendors.Vendor {
		return endpointVendor{&fakeVendor{name: "zendesk"}, eps}
	}
	ok := func() []vendors.Vendor { return []vendors.Vendor{&fakeVendor{name: "webim"}} }
	var nilVendor *fakeVendor
	var nilObserver *recorder

	tests := []struct {
		name string
		cfg  Config
		want string // the whole message
	}{
		{"no vendors", Config{},
			"chatident: Config.Vendors is empty"},
		{"inject placement", Config{Vendors: ok(), Inject: []inject.Option{inject.At(9)}},
			"chatident: Config.Inject: inject: At(Placement(9)): not a Placement constant"},
		{"nil vendor", Config{Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}, nil}},
			"chatident: Config.Vendors[1] is nil"},
		{"typed nil vendor", Config{Vendors: []vendors.Vendor{nilVendor}},
			"chatident: Config.Vendors[0] is nil"},
		{"empty name", Config{Vendors: []vendors.Vendor{&fakeVendor{name: ""}}},
			`chatident: Config.Vendors[0]: Name() "" does not match [a-z0-9_]+`},
		{"upper-case name", Config{Vendors: []vendors.Vendor{&fakeVendor{name: "Webim"}}},
			`chatident: Config.Vendors[0]: Name() "Webim" does not match [a-z0-9_]+`},
		{"name with a dash", Config{Vendors: []vendors.Vendor{&fakeVendor{name: "help-crunch"}}},
			`chatident: Config.Vendors[0]: Name() "help-crunch" does not match [a-z0-9_]+`},
		{"name with a slash", Config{Vendors: []vendors.Vendor{&fakeVendor{name: "a/b"}}},
			`chatident: Config.Vendors[0]: Name() "a/b" does not match [a-z0-9_]+`},
		{"duplicate name", Config{Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}, &fakeVendor{name: "edna"}, &fakeVendor{name: "webim"}}},
			`chatident: Config.Vendors[2] (webim): Name() "webim" is already used by Config.Vendors[0]`},
		{"vendor config error", Config{Vendors: []vendors.Vendor{&fakeVendor{name: "edna"}, validatingVendor{&fakeVendor{name: "zendesk"}, func() error {
			return &vendors.ConfigError{Vendor: "zendesk", Field: "Secret", Problem: "is empty"}
		}}}},
			"chatident: Config.Vendors[1]: zendesk: Secret is empty"},
		{"vendor config error naming another vendor", Config{Vendors: []vendors.Vendor{validatingVendor{&fakeVendor{name: "zendesk2"}, func() error {
			return &vendors.ConfigError{Vendor: "zendesk", Field: "Secret", Problem: "is empty"}
		}}}},
			"chatident: Config.Vendors[0] (zendesk2): zendesk: Secret is empty"},
		{"vendor plain error", Config{Vendors: []vendors.Vendor{validatingVendor{&fakeVendor{name: "webim"}, func() error {
			return errors.New("PrivateKey is missing")
		}}}},
			"chatident: Config.Vendors[0] (webim): PrivateKey is missing"},
		{"vendor joined errors", Config{Vendors: []vendors.Vendor{validatingVendor{&fakeVendor{name: "webim"}, func() error {
			return errors.Join(
				&vendors.ConfigError{Vendor: "webim", Field: "PrivateKey", Problem: "is empty"},
				&vendors.ConfigError{Vendor: "webim", Field: "Account", Problem: "is empty"})
		}}}},
			"chatident: Config.Vendors[0]: webim: PrivateKey is empty\nchatident: Config.Vendors[0]: webim: Account is empty"},
		{"vendor Validate panics", Config{Vendors: []vendors.Vendor{validatingVendor{&fakeVendor{name: "webim"}, func() error {
			panic("boom")
		}}}},
			"chatident: Config.Vendors[0] (webim): panicked: boom"},
		{"endpoint path empty", Config{Vendors: []vendors.Vendor{withEndpoints(vendors.Endpoint{Path: "", Serve: serve})}},
			`chatident: Config.Vendors[0] (zendesk): Endpoints()[0].Path "" is empty`},
		{"endpoint path absolute", Config{Vendors: []vendors.Vendor{withEndpoints(vendors.Endpoint{Path: "/token", Serve: serve})}},
			`chatident: Config.Vendors[0] (zendesk): Endpoints()[0].Path "/token" has an empty segment ("//" or a leading or trailing "/")`},
		{"endpoint path dot-dot", Config{Vendors: []vendors.Vendor{withEndpoints(vendors.Endpoint{Path: "../admin", Serve: serve})}},
			`chatident: Config.Vendors[0] (zendesk): Endpoints()[0].Path "../admin" has a "." or ".." segment`},
		{"endpoint path bad character", Config{Vendors: []vendors.Vendor{withEndpoints(vendors.Endpoint{Path: "to ken", Serve: serve})}},
			`chatident: Config.Vendors[0] (zendesk): Endpoints()[0].Path "to ken" has ' ', which is not a URL path character`},
		{"endpoint path duplicate", Config{Vendors: []vendors.Vendor{withEndpoints(
			vendors.Endpoint{Path: "token", Serve: serve}, vendors.Endpoint{Path: "token", Serve: serve})}},
			`chatident: Config.Vendors[0] (zendesk): Endpoints()[1].Path "token" is already used by Endpoints()[0]`},
		{"endpoint without Serve", Config{Vendors: []vendors.Vendor{withEndpoints(vendors.Endpoint{Path: "token"})}},
			`chatident: Config.Vendors[0] (zendesk): Endpoints()[0].Serve is nil`},
		{"unknown placement", Config{Vendors: ok(), Placement: inject.Placement(7)},
			"chatident: Config.Placement 7 is not an inject.Placement constant"},
		{"prefix without leading slash", Config{Vendors: ok(), EndpointPrefix: "_chatident/"},
			`chatident: Config.EndpointPrefix "_chatident/" must start and end with "/" and have a segment between`},
		{"prefix without trailing slash", Config{Vendors: ok(), EndpointPrefix: "/_chatident"},
			`chatident: Config.EndpointPrefix "/_chatident" must start and end with "/" and have a segment between`},
		{"prefix of the whole site", Config{Vendors: ok(), EndpointPrefix: "/"},
			`chatident: Config.EndpointPrefix "/" must start and end with "/" and have a segment between`},
		{"prefix with double slash", Config{Vendors: ok(), EndpointPrefix: "/a//b/"},
			`chatident: Config.EndpointPrefix "/a//b/" has an empty segment ("//" or a leading or trailing "/")`},
		{"prefix with dot-dot", Config{Vendors: ok(), EndpointPrefix: "/a/../b/"},
			`chatident: Config.EndpointPrefix "/a/../b/" has a "." or ".." segment`},
		{"prefix with a query", Config{Vendors: ok(), EndpointPrefix: "/a?b/"},
			`chatident: Config.EndpointPrefix "/a?b/" has '?', which is not a URL path character`},
		{"prefix with percent", Config{Vendors: ok(), EndpointPrefix: "/a%2fb/"},
			`chatident: Config.EndpointPrefix "/a%2fb/" has '%', which is not a URL path character`},
		{"short sign-out key", Config{Vendors: ok(), SignOut: SignOut{HashKey: []byte("too-short")}},
			"chatident: Config.SignOut.HashKey is 9 bytes, want at least 32 (or nil for a random key)"},
		{"bad sign-out cookie name", Config{Vendors: ok(), SignOut: SignOut{CookieName: "seen;x"}},
			`chatident: Config.SignOut.CookieName "seen;x" is not a valid cookie name`},
		{"nil source", Config{Vendors: ok(), Sources: []Source{SourceFunc(func(*http.Request) (*vendors.Visitor, error) { return nil, nil }), nil}},
			"chatident: Config.Sources[1] is nil"},
		{"nil source func", Config{Vendors: ok(), Sources: []Source{SourceFunc(nil)}},
			"chatident: Config.Sources[0] is nil"},
		{"session cookie short hash key", Config{Vendors: ok(), Sources: []Source{&SessionCookie[string]{
			Name: "session", HashKey: []byte("short"), Visitor: func(string) (vendors.Visitor, bool) { return vendors.Visitor{}, false }}}},
			"chatident: Config.Sources[0] (*middleware.SessionCookie[string]): SessionCookie.HashKey is 5 bytes, want at least 32"},
		{"session cookie everything wrong", Config{Vendors: ok(), Sources: []Source{&SessionCookie[string]{
			Name: "", HashKey: []byte(testKey), BlockKey: []byte("seven b"), MaxAge: -1}}},
			"chatident: Config.Sources[0] (*middleware.SessionCookie[string]): SessionCookie.Name \"\" is not a valid cookie name\n" +
				"chatident: Config.Sources[0] (*middleware.SessionCookie[string]): SessionCookie.BlockKey is 7 bytes, want 16, 24 or 32 (or none)\n" +
				"chatident: Config.Sources[0] (*middleware.SessionCookie[string]): SessionCookie.MaxAge is negative\n" +
				"chatident: Config.Sources[0] (*middleware.SessionCookie[string]): SessionCookie.Visitor is nil"},
		{"jwt cookie without a key", Config{Vendors: ok(), Sources: []Source{&JWTCookie{}}},
			"chatident: Config.Sources[0] (*middleware.JWTCookie): JWTCookie: set Secret (HS256) or PublicKey (RS256)"},
		{"jwt cookie short secret", Config{Vendors: ok(), Sources: []Source{&JWTCookie{Secret: []byte("secret")}}},
			"chatident: Config.Sources[0] (*middleware.JWTCookie): JWTCookie.Secret is 6 bytes, want at least 32 for HS256"},
		{"jwt cookie bad name and leeway", Config{Vendors: ok(), Sources: []Source{&JWTCookie{Name: "to ken", Secret: []byte(testKey), Leeway: -1}}},
			"chatident: Config.Sources[0] (*middleware.JWTCookie): JWTCookie.Name \"to ken\" is not a valid cookie name\n" +
				"chatident: Config.Sources[0] (*middleware.JWTCookie): JWTCookie.Leeway -1ns is outside 0 to 5m0s"},
		{"typed nil observer", Config{Vendors: ok(), Observer: nilObserver},
			"chatident: Config.Observer is a nil *middleware.recorder"},
		{"every problem at once", Config{Vendors: []vendors.Vendor{nil, &fakeVendor{name: "X"}}, Placement: -1, EndpointPrefix: "x"},
			"chatident: Config.Vendors[0] is nil\n" +
				`chatident: Config.Vendors[1]: Name() "X" does not match [a-z0-9_]+` + "\n" +
				"chatident: Config.Placement -1 is not an inject.Placement constant\n" +
				`chatident: Config.EndpointPrefix "x" must start and end with "/" and have a segment between`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(tt.cfg)
			if err == nil {
				t.Fatalf("New succeeded (%v), want error %q", m != nil, tt.want)
			}
			if m != nil {
				t.Errorf("New returned a Middleware with its error")
			}
			if err.Error() != tt.want {
				t.Errorf("New error:\n%s\nwant:\n%s", err, tt.want)
			}
		})
	}
}

func TestNewKeepsConfigErrorReachable(t *testing.T) {
	want := &vendors.ConfigError{Vendor: "zendesk", Field: "Secret", Problem: "is empty"}
	_, err := New(Config{Vendors: []vendors.Vendor{
		&fakeVendor{name: "webim"},
		validatingVendor{&fakeVendor{name: "zendesk"}, func() error { return want }},
	}})
	var ce *vendors.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("errors.As(%v, *ConfigError) = false", err)
	}
	if ce != want {
		t.Errorf("errors.As found %v, want the vendor's own error", ce)
	}
}

func TestNewAccepts(t *testing.T) {
	serve := func(http.ResponseWriter, vendors.Request, *vendors.Visitor) vendors.EndpointResult {
		return vendors.EndpointResult{}
	}
	cfgs := map[string]Config{
		"minimal": {Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}}},
		"everything": {
			Vendors: []vendors.Vendor{
				&fakeVendor{name: "webim_2"},
				validatingVendor{&fakeVendor{name: "edna"}, func() error { return nil }},
				endpointVendor{&fakeVendor{name: "zendesk"}, []vendors.Endpoint{
					{Path: "token", Serve: serve}, {Path: "v1/refresh.json", Serve: serve}}},
			},
			Sources: []Source{
				&JWTCookie{Secret: []byte(testKey)},
				&SessionCookie[map[string]string]{Name: "session", HashKey: []byte(rotatedKey), BlockKey: []byte("0123456789abcdef"),
					Visitor: func(map[string]string) (vendors.Visitor, bool) { return vendors.Visitor{}, false }},
			},
			Placement:      inject.BeforeBodyClose,
			EndpointPrefix: "/api/chat-id_1~/",
			SignOut:        SignOut{CookieName: "seen", HashKey: []byte(testBlockKey)},
			Observer:       &recorder{},
			Inject:         []inject.Option{inject.MaxHeld(1024)},
		},
		"short key ignored when sign-out is off": {
			Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}},
			SignOut: SignOut{Disabled: true, HashKey: []byte("short")},
		},
	}
	for name, cfg := range cfgs {
		if _, err := New(cfg); err != nil {
			t.Errorf("%s: New: %v", name, err)
		}
	}
}

func TestNewDoesNotKeepCallerSlices(t *testing.T) {
	a, b := &fakeVendor{name: "a"}, &fakeVendor{name: "b"}
	vs := []vendors.Vendor{a}
	m := mustNew(t, Config{Vendors: vs, SignOut: SignOut{Disabled: true}})
	vs[0] = b
	got := string(buildPage(m, withCookies("/"), "").script)
	if !strings.Contains(got, "a.anonymous()") || strings.Contains(got, "b.") {
		t.Errorf("script after the caller changed its slice = %q, want vendor a's", got)
	}
}
