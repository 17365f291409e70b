package middleware

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chatident/chatident/vendors"
)

// namedEndpoint answers with its own name, so a test sees who answered.
func namedEndpoint(name string) []vendors.Endpoint {
	return []vendors.Endpoint{{Path: "ping", Serve: func(w http.ResponseWriter, _ vendors.Request, _ *vendors.Visitor) vendors.EndpointResult {
		io.WriteString(w, "pong from "+name)
		return vendors.EndpointResult{Issued: true}
	}}}
}

// nestedInstance is a Middleware with one vendor that has an endpoint and
// sets a sign-out marker on identified pages.
func nestedInstance(t *testing.T, vendor, prefix string) *Middleware {
	t.Helper()
	return mustNew(t, Config{
		Vendors:        []vendors.Vendor{endpointVendor{&fakeVendor{name: vendor}, namedEndpoint(vendor)}},
		EndpointPrefix: prefix,
		SignOut:        SignOut{HashKey: []byte(testKey)},
	})
}

// checkOnePage asserts that an identified page through h got exactly one
// script, from want, and one Set-Cookie.
func checkOnePage(t *testing.T, h http.Handler, want, other string) {
	t.Helper()
	w := serve(h, visitorRequest("ann"))
	body := normalize(t, w.Body.String())
	if n := strings.Count(body, "<script"); n != 1 {
		t.Errorf("page has %d scripts, want 1: %s", n, body)
	}
	if !strings.Contains(body, want+`.identify("ann"`) || (other != "" && strings.Contains(body, other+".")) {
		t.Errorf("page script is not %s's alone: %s", want, body)
	}
	if sc := w.Result().Header["Set-Cookie"]; len(sc) != 1 {
		t.Errorf("Set-Cookie %q, want one marker", sc)
	}
}

// checkEndpoint asserts that path is answered by the named vendor's endpoint.
func checkEndpoint(t *testing.T, h http.Handler, path, want string) {
	t.Helper()
	w := serve(h, withCookies(path))
	if w.Code != http.StatusOK || w.Body.String() != "pong from "+want {
		t.Errorf("GET %s: %d %q, want 200 from %s", path, w.Code, w.Body, want)
	}
}

func TestNestedSameInstance(t *testing.T) {
	m := nestedInstance(t, "webim", "")
	h := m.Wrap(m.Wrap(m.Wrap(htmlApp())))
	checkOnePage(t, h, "webim", "")
	checkEndpoint(t, h, "/_chatident/webim/ping", "webim")
}

func TestNestedTwoInstancesDirectly(t *testing.T) {
	outer, inner := nestedInstance(t, "webim", ""), nestedInstance(t, "zendesk", "")
	h := outer.Wrap(inner.Wrap(htmlApp()))
	checkOnePage(t, h, "webim", "zendesk")
	// Both share the default prefix: each instance's endpoint stays
	// reachable, and a path neither serves is still reserved.
	checkEndpoint(t, h, "/_chatident/webim/ping", "webim")
	checkEndpoint(t, h, "/_chatident/zendesk/ping", "zendesk")
	if w := serve(h, withCookies("/_chatident/zendesk/nope")); w.Code != http.StatusNotFound {
		t.Errorf("unknown endpoint: %d %q, want 404", w.Code, w.Body)
	}
	// Three levels deep.
	third := nestedInstance(t, "edna", "")
	h = outer.Wrap(inner.Wrap(third.Wrap(htmlApp())))
	checkOnePage(t, h, "webim", "edna")
	checkEndpoint(t, h, "/_chatident/edna/ping", "edna")
	checkEndpoint(t, h, "/_chatident/zendesk/ping", "zendesk")
}

// With a router between the instances, the inner one still finds the outer
// one's rewriter behind the ResponseWriter it is given; endpoints stay
// reachable when the prefixes differ.
func TestNestedTwoInstancesThroughARouter(t *testing.T) {
	outer, inner := nestedInstance(t, "webim", ""), nestedInstance(t, "zendesk", "/_sub/")
	mux := http.NewServeMux()
	mux.Handle("/", inner.Wrap(htmlApp()))
	h := outer.Wrap(http.StripPrefix("", mux))
	checkOnePage(t, h, "webim", "zendesk")
	checkEndpoint(t, h, "/_chatident/webim/ping", "webim")
	checkEndpoint(t, h, "/_sub/zendesk/ping", "zendesk")
}

// The inner instance alone, not nested, still does its job.
func TestInnerAloneInjects(t *testing.T) {
	inner := nestedInstance(t, "zendesk", "")
	checkOnePage(t, inner.Wrap(htmlApp()), "zendesk", "webim")
}
