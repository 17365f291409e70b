package middleware

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/chatident/chatident/vendors"
)

// markerSecure builds one identified page for r under mode and reports
// whether its marker is Secure.
func markerSecure(t *testing.T, mode SecureMode, r *http.Request) bool {
	t.Helper()
	m := mustNew(t, Config{
		Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}},
		SignOut: SignOut{HashKey: []byte(testKey), Secure: mode},
	})
	r = r.WithContext(WithVisitor(r.Context(), vendors.Visitor{ID: "user-42"}))
	c := markerFrom(t, buildPage(m, r, ""))
	if c == nil {
		t.Fatalf("mode %d: identified page set no marker", mode)
	}
	return c.Secure
}

// TestSignOutSecureModes checks each SecureMode against requests as a
// browser, a TLS-terminating proxy and a client forging proxy headers would
// send them.
func TestSignOutSecureModes(t *testing.T) {
	type req struct {
		name   string
		tls    bool
		header map[string][]string
	}
	reqs := []req{
		{name: "plain HTTP"},
		{name: "TLS at this server", tls: true},
		{name: "X-Forwarded-Proto https", header: map[string][]string{"X-Forwarded-Proto": {"https"}}},
		{name: "X-Forwarded-Proto HTTPS", header: map[string][]string{"X-Forwarded-Proto": {"HTTPS"}}},
		{name: "X-Forwarded-Proto http", header: map[string][]string{"X-Forwarded-Proto": {"http"}}},
		{name: "X-Forwarded-Proto forged https then proxy's http", header: map[string][]string{"X-Forwarded-Proto": {"https, http"}}},
		{name: "X-Forwarded-Proto two lines, one http", header: map[string][]string{"X-Forwarded-Proto": {"https", "http"}}},
		{name: "X-Forwarded-Proto https chain", header: map[string][]string{"X-Forwarded-Proto": {"https,https"}}},
		{name: "X-Forwarded-Proto empty", header: map[string][]string{"X-Forwarded-Proto": {""}}},
		{name: "X-Forwarded-Proto httpsx", header: map[string][]string{"X-Forwarded-Proto": {"httpsx"}}},
		{name: "Forwarded proto=https", header: map[string][]string{"Forwarded": {"for=192.0.2.1;proto=https;host=example.com"}}},
		{name: "Forwarded quoted", header: map[string][]string{"Forwarded": {`for="[2001:db8::1]";Proto="https"`}}},
		{name: "Forwarded chain with http hop", header: map[string][]string{"Forwarded": {"for=192.0.2.1;proto=https, for=192.0.2.2;proto=http"}}},
		{name: "Forwarded without proto", header: map[string][]string{"Forwarded": {"for=192.0.2.1"}}},
		{name: "both agree", header: map[string][]string{"Forwarded": {"proto=https"}, "X-Forwarded-Proto": {"https"}}},
		{name: "both disagree", header: map[string][]string{"Forwarded": {"proto=https"}, "X-Forwarded-Proto": {"http"}}},
	}
	want := map[SecureMode]map[string]bool{
		SecureByRequest: {"TLS at this server": true},
		SecureAlways:    nil, // every request
		SecureByForwardedProto: {
			"TLS at this server":            true,
			"X-Forwarded-Proto https":       true,
			"X-Forwarded-Proto HTTPS":       true,
			"X-Forwarded-Proto https chain": true,
			"Forwarded proto=https":         true,
			"Forwarded quoted":              true,
			"both agree":                    true,
		},
	}
	for mode, secure := range want {
		for _, rq := range reqs {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			for k, vs := range rq.header {
				r.Header[k] = vs
			}
			if rq.tls {
				r.TLS = &tls.ConnectionState{}
			}
			w := secure == nil || secure[rq.name]
			if got := markerSecure(t, mode, r); got != w {
				t.Errorf("mode %d, %s: Secure = %v, want %v", mode, rq.name, got, w)
			}
		}
	}
}

// TestSignOutSecureBehindTLSProxy serves the middleware over plain HTTP
// behind a real TLS-terminating reverse proxy that sets X-Forwarded-Proto,
// as a load balancer does: by default the marker is not Secure (the server
// cannot tell), with SecureAlways or SecureByForwardedProto it is, and a
// client that reaches the server directly with a forged header under the
// default mode changes nothing.
func TestSignOutSecureBehindTLSProxy(t *testing.T) {
	for _, tc := range []struct {
		mode SecureMode
		want bool
	}{
		{SecureByRequest, false},
		{SecureAlways, true},
		{SecureByForwardedProto, true},
	} {
		m := mustNew(t, Config{
			Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}},
			SignOut: SignOut{HashKey: []byte(testKey), Secure: tc.mode},
			Sources: []Source{SourceFunc(func(*http.Request) (*vendors.Visitor, error) {
				return &vendors.Visitor{ID: "user-42"}, nil
			})},
		})
		backend := httptest.NewServer(m.Wrap(htmlApp()))
		target, _ := url.Parse(backend.URL)
		proxy := httptest.NewTLSServer(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.SetXForwarded() // X-Forwarded-Proto: https, as the proxy terminated TLS
		}})

		resp, err := proxy.Client().Get(proxy.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		c := cookieNamed(resp.Cookies(), DefaultSignOutCookie)
		if c == nil {
			t.Fatalf("mode %d: no marker through the proxy; Set-Cookie %q", tc.mode, resp.Header["Set-Cookie"])
		}
		if c.Secure != tc.want {
			t.Errorf("mode %d behind a TLS proxy: Secure = %v, want %v", tc.mode, c.Secure, tc.want)
		}

		// Directly, over plain HTTP, with a forged header.
		r, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, backend.URL+"/", nil)
		r.Header.Set("X-Forwarded-Proto", "https")
		resp, err = backend.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		c = cookieNamed(resp.Cookies(), DefaultSignOutCookie)
		if want := tc.mode != SecureByRequest; c == nil || c.Secure != want {
			t.Errorf("mode %d, direct with forged X-Forwarded-Proto: marker %+v, want Secure=%v", tc.mode, c, want)
		}
		proxy.Close()
		backend.Close()
	}
}

// cookieNamed returns the cookie called name, or nil.
func cookieNamed(cs []*http.Cookie, name string) *http.Cookie {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return nil
}
