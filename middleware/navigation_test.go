package middleware

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatident/chatident/vendors"
)

// navigationClient is a browser-like client of a wrapped htmlApp: a cookie
// jar, a "user" cookie that says who is signed in, and requests that carry
// the headers of a chosen kind of navigation.
type navigationClient struct {
	t    *testing.T
	srv  *httptest.Server
	jar  http.CookieJar
	http *http.Client
}

func newNavigationClient(t *testing.T, h http.Handler) *navigationClient {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &navigationClient{t: t, srv: srv, jar: jar, http: &http.Client{Jar: jar}}
}

func (c *navigationClient) signIn(id string) {
	ck := &http.Cookie{Name: "user", Value: id, Path: "/"}
	if id == "" {
		ck.MaxAge = -1
	}
	c.jar.SetCookies(mustURL(c.t, c.srv.URL), []*http.Cookie{ck})
}

// get fetches / with header and returns the response and its body.
func (c *navigationClient) get(header map[string]string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.srv.URL+"/", nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, normalize(c.t, string(b))
}

var (
	documentHeaders = map[string]string{"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}
	fragmentHeaders = []map[string]string{
		{"HX-Request": "true", "Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"}, // htmx partial in a browser
		{"HX-Request": "true", "HX-Boosted": "true"},                                // htmx boosted, no Fetch Metadata
		{"HX-Request": "true"},                                                           // htmx partial, no Fetch Metadata
		{"Turbo-Frame": "cart", "X-Turbo-Request-Id": "1"},                               // Turbo frame
		{"X-Turbo-Request-Id": "2", "Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"}, // Turbo Drive visit
		{"X-Requested-With": "XMLHttpRequest"},                                           // jQuery
		{"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "same-origin"},                     // fetch() + innerHTML
	}
)

// A fragment fetched after sign-out gets no script and leaves the sign-out
// reset, and the marker cookie, for the next document.
func TestFragmentAfterSignOutLeavesTheReset(t *testing.T) {
	rec := &recorder{}
	m := mustNew(t, Config{
		Vendors:  []vendors.Vendor{&fakeVendor{name: "webim"}, &fakeVendor{name: "zendesk"}},
		Sources:  []Source{&countingSource{}},
		SignOut:  SignOut{HashKey: []byte(testKey)},
		Observer: rec,
	})
	c := newNavigationClient(t, m.Wrap(htmlApp()))

	c.signIn("ann")
	resp, body := c.get(documentHeaders)
	if !strings.Contains(body, `webim.identify("ann"`) || len(resp.Header["Set-Cookie"]) != 1 {
		t.Fatalf("signed-in document: Set-Cookie %q, body %s", resp.Header["Set-Cookie"], body)
	}
	// While signed in, a fragment is not the place for the identity either.
	for _, h := range fragmentHeaders {
		if resp, body := c.get(h); body != testPage || len(resp.Header["Set-Cookie"]) != 0 {
			t.Fatalf("signed-in fragment %v: Set-Cookie %q, body %s", h, resp.Header["Set-Cookie"], body)
		}
	}
	rec.take()

	c.signIn("") // sign out
	for _, h := range fragmentHeaders {
		resp, body := c.get(h)
		if body != testPage {
			t.Errorf("fragment %v after sign-out: body %q, want the application's bytes", h, body)
		}
		if sc, cc, vary := resp.Header["Set-Cookie"], resp.Header.Get("Cache-Control"), resp.Header.Get("Vary"); len(sc) != 0 || cc != "" || vary != "" {
			t.Errorf("fragment %v after sign-out: Set-Cookie %q, Cache-Control %q, Vary %q; want the application's headers", h, sc, cc, vary)
		}
	}
	for _, e := range rec.take() {
		if e.Kind != EventResponse || e.Reason != "fragment" {
			t.Errorf("fragment event %+v, want only responses with reason fragment", e)
		}
	}

	resp, body = c.get(documentHeaders)
	if strings.Count(body, "webim.reset();") != 1 || strings.Count(body, "zendesk.reset();") != 1 || !strings.Contains(body, "webim.anonymous();") {
		t.Fatalf("first document after the fragments: want each reset once: %s", body)
	}
	if expired := markerFrom(t, built{header: resp.Header}); expired == nil || expired.MaxAge >= 0 {
		t.Errorf("first document after the fragments: marker %+v, want it expired", expired)
	}
	if _, body = c.get(documentHeaders); strings.Contains(body, "reset") {
		t.Errorf("second document: want no reset: %s", body)
	}
}

// Config.Navigation replaces the default predicate.
func TestConfigNavigation(t *testing.T) {
	m := mustNew(t, Config{
		Vendors:    []vendors.Vendor{&fakeVendor{name: "webim"}},
		Navigation: func(r *http.Request) bool { return r.Header.Get("X-Partial") == "" },
	})
	c := newNavigationClient(t, m.Wrap(htmlApp()))
	if _, body := c.get(map[string]string{"X-Partial": "1"}); body != testPage {
		t.Errorf("X-Partial: body %s, want the application's bytes", body)
	}
	// htmx's header means nothing to this predicate.
	if _, body := c.get(map[string]string{"HX-Request": "true"}); !strings.Contains(body, "webim.anonymous();") {
		t.Errorf("HX-Request with an own predicate: body %s, want the script", body)
	}
}
