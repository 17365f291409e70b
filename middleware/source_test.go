package middleware

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/securecookie"

	"github.com/chatident/chatident/vendors"
)

// fixed returns a source that always finds id (or nothing when id is "").
func fixed(id string, calls *int) Source {
	return SourceFunc(func(*http.Request) (*vendors.Visitor, error) {
		*calls++
		if id == "" {
			return nil, nil
		}
		return &vendors.Visitor{ID: id}, nil
	})
}

func TestResolveOrder(t *testing.T) {
	var a, b int
	failing := SourceFunc(func(*http.Request) (*vendors.Visitor, error) { a++; return nil, errors.New("tampered") })
	panicking := SourceFunc(func(*http.Request) (*vendors.Visitor, error) { a++; panic("boom") })
	noID := SourceFunc(func(*http.Request) (*vendors.Visitor, error) { a++; return &vendors.Visitor{Name: "no id"}, nil })

	tests := []struct {
		name    string
		sources []Source
		ctx     *vendors.Visitor
		want    string // "" is anonymous
		a, b    int    // calls of the first and second counting sources
	}{
		{"context wins over every source", []Source{fixed("src", &a)}, &vendors.Visitor{ID: "ctx"}, "ctx", 0, 0},
		{"context without id falls through", []Source{fixed("src", &a)}, &vendors.Visitor{Name: "x"}, "src", 1, 0},
		{"first match wins", []Source{fixed("one", &a), fixed("two", &b)}, nil, "one", 1, 0},
		{"no match goes on", []Source{fixed("", &a), fixed("two", &b)}, nil, "two", 1, 1},
		{"an error goes on", []Source{failing, fixed("two", &b)}, nil, "two", 1, 1},
		{"a panic goes on", []Source{panicking, fixed("two", &b)}, nil, "two", 1, 1},
		{"a visitor without id goes on", []Source{noID, fixed("two", &b)}, nil, "two", 1, 1},
		{"nobody", []Source{fixed("", &a)}, nil, "", 1, 0},
		{"no sources", nil, nil, "", 0, 0},
	}
	for _, tt := range tests {
		a, b = 0, 0
		logger, _ := logBuffer()
		m := mustNew(t, Config{Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}}, Sources: tt.sources, Logger: logger})
		r := withCookies("/")
		if tt.ctx != nil {
			r = r.WithContext(WithVisitor(r.Context(), *tt.ctx))
		}
		v, known := m.resolve(r)
		if known != (tt.want != "") || v.ID != tt.want {
			t.Errorf("%s: resolve = %q, %v; want %q", tt.name, v.ID, known, tt.want)
		}
		if a != tt.a || b != tt.b {
			t.Errorf("%s: source calls = %d, %d; want %d, %d", tt.name, a, b, tt.a, tt.b)
		}
	}
}

func TestResolveLogs(t *testing.T) {
	logger, logs := logBuffer()
	m := mustNew(t, Config{
		Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}},
		Sources: []Source{
			&JWTCookie{Secret: []byte(testKey)},
			SourceFunc(func(*http.Request) (*vendors.Visitor, error) { panic("secret-value-7f3a") }),
		},
		Logger: logger,
	})
	m.resolve(withCookies("/", tokenCookie("eyJhbGciOiJub25lIn0.eyJzdWIiOiI3ZjNhIn0.")))
	out := logs.String()
	for _, s := range []string{
		`level=DEBUG msg="chatident: visitor source rejected the request" source=0 source_type=*middleware.JWTCookie`,
		`level=ERROR msg="chatident: visitor source panicked; treating the visitor as anonymous" source=1`,
		"panic_type=string",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("log lacks %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, "7f3a") || strings.Contains(out, "eyJ") {
		t.Errorf("log carries request values:\n%s", out)
	}
}

func TestSourcesInPages(t *testing.T) {
	type session struct{ ID string }
	// The session key differs from the login token's: New refuses one key
	// in two places.
	codec := securecookie.New([]byte(rotatedKey), nil)
	value, err := codec.Encode("session", session{ID: "from-session"})
	if err != nil {
		t.Fatal(err)
	}
	m := mustNew(t, Config{
		Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}},
		Sources: []Source{
			&SessionCookie[session]{Name: "session", HashKey: []byte(rotatedKey),
				Visitor: func(s session) (vendors.Visitor, bool) { return vendors.Visitor{ID: s.ID}, true }},
			&JWTCookie{Secret: []byte(testKey)},
		},
		SignOut: SignOut{Disabled: true},
	})
	for name, tc := range map[string]struct {
		r    *http.Request
		want string
	}{
		"session":           {withCookies("/", &http.Cookie{Name: "session", Value: value}), `webim.identify("from-session"`},
		"jwt":               {withCookies("/", tokenCookie(pythonToken)), `webim.identify("xsolla-user-1"`},
		"bad session, jwt":  {withCookies("/", &http.Cookie{Name: "session", Value: "x"}, tokenCookie(pythonToken)), `webim.identify("xsolla-user-1"`},
		"context over both": {visitorRequest("ctx", &http.Cookie{Name: "session", Value: value}), `webim.identify("ctx"`},
		"nothing":           {withCookies("/", tokenCookie("x.y.z")), `webim.anonymous()`},
	} {
		if got := string(buildPage(m, tc.r, "").script); !strings.Contains(got, tc.want) {
			t.Errorf("%s: script %q, want %s", name, got, tc.want)
		}
	}
}

// TestMisconfiguredSourceWarnsOnce: a source that refuses every request
// (keys or type that do not match the application's) makes every visitor
// anonymous; that is said once, at Warn, without values, and only once.
func TestMisconfiguredSourceWarnsOnce(t *testing.T) {
	logger, logs := logBuffer()
	refuse := SourceFunc(func(*http.Request) (*vendors.Visitor, error) {
		return nil, errors.New("hmac mismatch")
	})
	m := mustNew(t, Config{Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}}, Sources: []Source{refuse}, Logger: logger, SignOut: SignOut{Disabled: true}})
	for range 3 * misconfiguredAfter {
		buildPage(m, withCookies("/", &http.Cookie{Name: "session", Value: "secret-cookie-value"}), "")
	}
	out := logs.String()
	if n := strings.Count(out, "level=WARN"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, out)
	}
	if !strings.Contains(out, "do not match the application's") || strings.Contains(out, "secret-cookie-value") {
		t.Errorf("warning lacks the likely cause or carries a value:\n%s", out)
	}

	// A source that finds visitors is never suspected.
	logger, logs = logBuffer()
	n := 0
	mixed := SourceFunc(func(*http.Request) (*vendors.Visitor, error) {
		n++
		if n == 1 {
			return &vendors.Visitor{ID: "u-1"}, nil
		}
		return nil, errors.New("tampered")
	})
	m = mustNew(t, Config{Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}}, Sources: []Source{mixed}, Logger: logger, SignOut: SignOut{Disabled: true}})
	for range 3 * misconfiguredAfter {
		buildPage(m, withCookies("/"), "")
	}
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("a working source was reported:\n%s", logs.String())
	}
}
