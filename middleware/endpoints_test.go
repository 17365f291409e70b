package middleware

import (
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chatident/chatident/vendors"
)

// tokenEndpoint is a vendor endpoint that issues to identified visitors and
// records what it was given.
type tokenEndpoint struct {
	req     vendors.Request
	visitor *vendors.Visitor
}

func (e *tokenEndpoint) serve(w http.ResponseWriter, r vendors.Request, v *vendors.Visitor) vendors.EndpointResult {
	e.req, e.visitor = r, v
	if v == nil {
		w.WriteHeader(http.StatusUnauthorized)
		return vendors.EndpointResult{Reason: "anonymous"}
	}
	io.WriteString(w, `{"token":"t-`+v.ID+`"}`)
	return vendors.EndpointResult{Issued: true}
}

func endpointApp(t *testing.T, cfg Config) (http.Handler, *int) {
	t.Helper()
	appCalls := 0
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		appCalls++
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "app "+r.URL.Path)
	})
	return mustNew(t, cfg).Wrap(app), &appCalls
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestEndpointServed(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	ep := &tokenEndpoint{}
	rec := &recorder{}
	h, appCalls := endpointApp(t, Config{
		Vendors: []vendors.Vendor{
			&fakeVendor{name: "webim"},
			endpointVendor{&fakeVendor{name: "zendesk"}, []vendors.Endpoint{{Path: "token", Serve: ep.serve}}},
		},
		Sources:  []Source{&JWTCookie{Secret: []byte(testKey)}},
		Observer: rec,
		Now:      func() time.Time { return now },
	})

	w := serve(h, withCookies("/_chatident/zendesk/token", tokenCookie(pythonToken)))
	if w.Code != 200 || w.Body.String() != `{"token":"t-xsolla-user-1"}` {
		t.Errorf("response = %d %q", w.Code, w.Body)
	}
	if *appCalls != 0 {
		t.Error("the endpoint request reached the app")
	}
	if ep.req.Endpoints != "/_chatident/zendesk/" || !ep.req.Now.Equal(now) || ep.req.HTTP == nil {
		t.Errorf("Request = %+v", ep.req)
	}
	if ep.visitor == nil || ep.visitor.ID != "xsolla-user-1" {
		t.Errorf("visitor = %+v, want the JWT cookie's", ep.visitor)
	}

	w = serve(h, withCookies("/_chatident/zendesk/token"))
	if w.Code != http.StatusUnauthorized || ep.visitor != nil {
		t.Errorf("anonymous: %d, visitor %+v; want 401 and nil", w.Code, ep.visitor)
	}

	r := visitorRequest("ctx-user")
	r.URL.Path = "/_chatident/zendesk/token"
	if w := serve(h, r); w.Body.String() != `{"token":"t-ctx-user"}` {
		t.Errorf("context visitor: %q", w.Body)
	}

	want := []Event{
		{Kind: EventToken, Vendor: "zendesk", Reason: "issued"},
		{Kind: EventToken, Vendor: "zendesk", Reason: "anonymous"},
		{Kind: EventToken, Vendor: "zendesk", Reason: "issued"},
	}
	if got := rec.take(); !reflect.DeepEqual(got, want) {
		t.Errorf("events = %+v\nwant %+v", got, want)
	}
}

func TestEndpointUnknownPaths(t *testing.T) {
	ep := &tokenEndpoint{}
	h, _ := endpointApp(t, Config{
		Vendors: []vendors.Vendor{
			endpointVendor{&fakeVendor{name: "zendesk"}, []vendors.Endpoint{{Path: "token", Serve: ep.serve}}},
		},
		EndpointPrefix: "/chat/",
	})
	for _, path := range []string{"/chat/", "/chat/zendesk/", "/chat/zendesk/token/", "/chat/zendesk/Token", "/chat/webim/token", "/chat/zendesk/../zendesk/token"} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.Path = path
		// The app is asked (an instance inside it might serve the path:
		// see nested.go), but its answer never reaches the client.
		if w := serve(h, r); w.Code != http.StatusNotFound || w.Body.String() != "404 page not found\n" {
			t.Errorf("%s: %d %q, want chatident's 404", path, w.Code, w.Body)
		}
	}
	for _, path := range []string{"/", "/chat", "/_chatident/zendesk/token", "/chatroom/zendesk/token"} {
		if w := serve(h, httptest.NewRequest(http.MethodGet, path, nil)); w.Body.String() != "app "+path {
			t.Errorf("%s: %d %q, want the app's answer", path, w.Code, w.Body)
		}
	}
}

// The identity endpoint is there for every configuration, so the prefix is
// reserved even when no vendor has endpoints of its own.
func TestEndpointPrefixReservedWithoutVendorEndpoints(t *testing.T) {
	h, appCalls := endpointApp(t, Config{Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}}})
	if w := serve(h, httptest.NewRequest(http.MethodGet, "/_chatident/webim/token", nil)); w.Code != http.StatusNotFound {
		t.Errorf("unknown endpoint: %d %q, want 404", w.Code, w.Body)
	}
	if w := serve(h, httptest.NewRequest(http.MethodGet, "/_chatident/identity", nil)); w.Code != http.StatusOK || !strings.HasPrefix(w.Body.String(), `{"v":1,`) {
		t.Errorf("identity: %d %q, want 200 with page data", w.Code, w.Body)
	}
	// The unknown path is offered to the app once (with its answer held
	// back, see nested.go); the identity endpoint never reaches it.
	if *appCalls != 1 {
		t.Errorf("requests under the prefix reached the app %d times, want 1", *appCalls)
	}
}

func TestEndpointPanicAndReasons(t *testing.T) {
	logger, logs := logBuffer()
	rec := &recorder{}
	eps := []vendors.Endpoint{
		{Path: "panic", Serve: func(http.ResponseWriter, vendors.Request, *vendors.Visitor) vendors.EndpointResult {
			panic("secret-7f3a")
		}},
		{Path: "late-panic", Serve: func(w http.ResponseWriter, _ vendors.Request, _ *vendors.Visitor) vendors.EndpointResult {
			w.WriteHeader(http.StatusAccepted)
			panic("secret-7f3a")
		}},
		{Path: "silent", Serve: func(w http.ResponseWriter, _ vendors.Request, _ *vendors.Visitor) vendors.EndpointResult {
			return vendors.EndpointResult{}
		}},
		{Path: "chatty", Serve: func(w http.ResponseWriter, _ vendors.Request, v *vendors.Visitor) vendors.EndpointResult {
			return vendors.EndpointResult{Reason: "user " + v.ID + " is not allowed"}
		}},
		{Path: "method", Serve: func(w http.ResponseWriter, _ vendors.Request, _ *vendors.Visitor) vendors.EndpointResult {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return vendors.EndpointResult{Reason: "method"}
		}},
	}
	h, _ := endpointApp(t, Config{
		Vendors:  []vendors.Vendor{endpointVendor{&fakeVendor{name: "webim"}, eps}},
		Observer: rec,
		Logger:   logger,
	})
	call := func(path string) *httptest.ResponseRecorder {
		r := visitorRequest("u-1")
		r.URL.Path = "/_chatident/webim/" + path
		return serve(h, r)
	}
	if w := call("panic"); w.Code != http.StatusInternalServerError {
		t.Errorf("panic: status %d, want 500", w.Code)
	}
	if w := call("late-panic"); w.Code != http.StatusAccepted || strings.Contains(w.Body.String(), "Internal") {
		t.Errorf("late panic: %d %q, want the status already sent and nothing more", w.Code, w.Body)
	}
	call("silent")
	call("chatty")
	call("method")
	want := []Event{
		{Kind: EventToken, Vendor: "webim", Reason: "error"},
		{Kind: EventToken, Vendor: "webim", Reason: "error"},
		{Kind: EventToken, Vendor: "webim", Reason: "other"},
		{Kind: EventToken, Vendor: "webim", Reason: "other"},
		{Kind: EventToken, Vendor: "webim", Reason: "method"},
	}
	if got := rec.take(); !reflect.DeepEqual(got, want) {
		t.Errorf("events = %+v\nwant %+v", got, want)
	}
	if out := logs.String(); !strings.Contains(out, "vendor endpoint panicked") || strings.Contains(out, "7f3a") {
		t.Errorf("log = %s; want the panic logged without its value", out)
	}
}

func TestEndpointReason(t *testing.T) {
	for in, want := range map[string]string{
		"anonymous": "anonymous", "cross_site": "cross_site", "": "other", "issued": "other",
		"Method": "other", "a b": "other", strings.Repeat("a", 33): "other", strings.Repeat("a", 32): strings.Repeat("a", 32),
	} {
		if got := endpointReason(in); got != want {
			t.Errorf("endpointReason(%q) = %q, want %q", in, got, want)
		}
	}
}
