package middleware

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/vendors"
)

// These tests go through the real rewriter (package inject).

const testPage = "<!doctype html><html><head><title>Shop</title></head><body><p>Hello</p></body></html>"

// htmlApp serves testPage as HTML, /api as JSON and /logo.png as an image.
func htmlApp() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":true}`)
		case "/logo.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write([]byte("\x89PNG\r\n\x1a\n"))
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, testPage)
		}
	})
}

// countingSource finds the visitor named by the "user" cookie and counts lookups.
type countingSource struct {
	mu    sync.Mutex
	calls int
}

func (s *countingSource) Lookup(r *http.Request) (*vendors.Visitor, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	c, err := r.Cookie("user")
	if err != nil {
		return nil, nil
	}
	return &vendors.Visitor{ID: c.Value}, nil
}

func (s *countingSource) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func TestWrapInjectsIdentity(t *testing.T) {
	rec := &recorder{}
	m := mustNew(t, Config{
		Vendors:  []vendors.Vendor{&fakeVendor{name: "webim"}, &fakeVendor{name: "zendesk"}},
		Sources:  []Source{&countingSource{}},
		Observer: rec,
		SignOut:  SignOut{HashKey: []byte(testKey)},
	})
	h := m.Wrap(htmlApp())

	w := serve(h, withCookies("/", &http.Cookie{Name: "user", Value: "u-1"}))

	script := wrapped(`webim.identify("u-1","/_chatident/webim/");`) + wrapped(`zendesk.identify("u-1","/_chatident/zendesk/");`)
	want := strings.Replace(testPage, "<head>", "<head><script>"+script+"</script>", 1)
	if got := normalize(t, w.Body.String()); got != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}
	marker := markerFrom(t, built{header: w.Result().Header})
	if marker == nil || marker.MaxAge <= 0 {
		t.Errorf("Set-Cookie = %q, want the sign-out marker on the response", w.Result().Header["Set-Cookie"])
	}
	if !strings.Contains(w.Header().Get("Cache-Control"), "private") {
		t.Errorf("Cache-Control = %q, want private", w.Header().Get("Cache-Control"))
	}
	wantEvents := []Event{
		{Kind: EventResponse, Reason: "injected"},
		{Kind: EventInjection, Vendor: "webim", Reason: "identify"},
		{Kind: EventInjection, Vendor: "zendesk", Reason: "identify"},
	}
	if got := rec.take(); !reflect.DeepEqual(got, wantEvents) {
		t.Errorf("events = %+v\nwant %+v", got, wantEvents)
	}
}

func TestWrapLeavesOtherResponsesAlone(t *testing.T) {
	src := &countingSource{}
	v := &fakeVendor{name: "webim"}
	rec := &recorder{}
	h := mustNew(t, Config{Vendors: []vendors.Vendor{v}, Sources: []Source{src}, Observer: rec}).Wrap(htmlApp())

	for _, r := range []*http.Request{
		withCookies("/api", &http.Cookie{Name: "user", Value: "u-1"}),
		withCookies("/logo.png", &http.Cookie{Name: "user", Value: "u-1"}),
		httptest.NewRequest(http.MethodHead, "/", nil),
	} {
		w := serve(h, r)
		if strings.Contains(w.Body.String(), "<script>") || len(w.Result().Header["Set-Cookie"]) != 0 {
			t.Errorf("%s %s: body %q, Set-Cookie %q; want untouched", r.Method, r.URL.Path, w.Body, w.Result().Header["Set-Cookie"])
		}
	}
	if src.count() != 0 || v.calls.Load() != 0 {
		t.Errorf("source lookups %d, vendor builds %d for non-HTML responses; want 0 and 0", src.count(), v.calls.Load())
	}
	want := []Event{
		{Kind: EventResponse, Reason: "not_html"},
		{Kind: EventResponse, Reason: "not_html"},
		{Kind: EventResponse, Reason: "method"},
	}
	if got := rec.take(); !reflect.DeepEqual(got, want) {
		t.Errorf("events = %+v\nwant %+v", got, want)
	}
}

func TestWrapEveryVendorFailedServesPageUnchanged(t *testing.T) {
	logger, _ := logBuffer()
	rec := &recorder{}
	fail := func(context.Context, vendors.Request, *vendors.Data) error { return errors.New("down") }
	h := mustNew(t, Config{
		Vendors:  []vendors.Vendor{&fakeVendor{name: "webim", anonymous: fail}, &fakeVendor{name: "edna", anonymous: fail}},
		Observer: rec,
		Logger:   logger,
	}).Wrap(htmlApp())

	w := serve(h, withCookies("/"))

	if w.Body.String() != testPage {
		t.Errorf("body = %q, want the page unchanged", w.Body)
	}
	want := []Event{
		{Kind: EventBuildError, Vendor: "webim", Reason: "error"},
		{Kind: EventBuildError, Vendor: "edna", Reason: "error"},
		{Kind: EventResponse, Reason: "error"},
	}
	if got := rec.take(); !reflect.DeepEqual(got, want) {
		t.Errorf("events = %+v\nwant %+v", got, want)
	}
}

func TestWrapPlacementAndInjectOptions(t *testing.T) {
	rec := &recorder{}
	// The application's own inject.Observe composes with the middleware:
	// it is called once per response with the rewriter's outcome, and the
	// Observer still gets its events.
	var mu sync.Mutex
	var observed []string
	h := mustNew(t, Config{
		Vendors:   []vendors.Vendor{&fakeVendor{name: "webim"}},
		Placement: inject.BeforeBodyClose,
		Observer:  rec,
		Inject: []inject.Option{
			inject.Statuses(func(status int) bool { return status == http.StatusNotFound }),
			inject.Observe(func(r *http.Request, o inject.Outcome) {
				mu.Lock()
				defer mu.Unlock()
				observed = append(observed, r.URL.Path+" "+string(o.Reason))
			}),
		},
	}).Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path == "/missing" {
			w.WriteHeader(http.StatusNotFound)
		}
		io.WriteString(w, testPage)
	}))

	w := serve(h, withCookies("/missing"))
	want := strings.Replace(testPage, "</body>", "<script>"+wrapped("webim.anonymous();")+"</script></body>", 1)
	if got := normalize(t, w.Body.String()); got != want {
		t.Errorf("404 page body =\n%s\nwant\n%s", got, want)
	}
	if w := serve(h, withCookies("/")); w.Body.String() != testPage {
		t.Errorf("200 page body = %q, want unchanged (Statuses admits 404 only)", w.Body)
	}
	wantEvents := []Event{
		// Held: the page names no charset, so the rewriter reads the first
		// 1024 bytes (here the whole page) before inserting, to keep any
		// <meta charset> in the prescan window.
		{Kind: EventResponse, Reason: "injected", Held: len(testPage)},
		{Kind: EventInjection, Vendor: "webim", Reason: "anonymous"},
		{Kind: EventResponse, Reason: "status"},
	}
	if got := rec.take(); !reflect.DeepEqual(got, wantEvents) {
		t.Errorf("events = %+v\nwant %+v", got, wantEvents)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"/missing injected", "/ status"}; !reflect.DeepEqual(observed, want) {
		t.Errorf("the application's inject.Observe saw %q, want %q", observed, want)
	}
}

func TestWrapNoMarkerKeepsTheReset(t *testing.T) {
	rec := &recorder{}
	m := mustNew(t, Config{
		Vendors:   []vendors.Vendor{&fakeVendor{name: "webim"}},
		Placement: inject.BeforeHeadClose,
		Observer:  rec,
		SignOut:   SignOut{HashKey: []byte(testKey)},
	})
	h := m.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<p>a fragment with no head</p>")
	}))
	marker := markerFrom(t, buildPage(m, visitorRequest("u-1"), ""))
	rec.take()

	w := serve(h, withCookies("/", marker))

	if w.Body.String() != "<p>a fragment with no head</p>" {
		t.Errorf("body = %q, want unchanged", w.Body)
	}
	if got := markerFrom(t, built{header: w.Result().Header}); got != nil {
		t.Errorf("marker = %+v, want it kept: the page had no place for the reset", got)
	}
	if len(w.Result().Header["Set-Cookie"]) != 0 || w.Header().Get("Cache-Control") != "" {
		t.Errorf("headers %v, want the application's alone", w.Result().Header)
	}
	want := []Event{{Kind: EventResponse, Reason: "no_marker", Held: len("<p>a fragment with no head</p>")}}
	if got := rec.take(); !reflect.DeepEqual(got, want) {
		t.Errorf("events = %+v, want %+v", got, want)
	}
	// The next page has a place, and gets the reset.
	w = serve(m.Wrap(htmlApp()), withCookies("/", marker))
	if got := normalize(t, w.Body.String()); !strings.Contains(got, "webim.reset();webim.anonymous();") {
		t.Errorf("next page = %s, want the reset", got)
	}
}

func TestWrapSignOutFlow(t *testing.T) {
	m := mustNew(t, Config{
		Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}, &fakeVendor{name: "helpcrunch"}},
		Sources: []Source{&countingSource{}},
		SignOut: SignOut{HashKey: []byte(testKey)},
	})
	srv := httptest.NewServer(m.Wrap(htmlApp()))
	defer srv.Close()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	get := func() string {
		t.Helper()
		resp, err := client.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return normalize(t, string(b))
	}
	setUser := func(id string) {
		c := &http.Cookie{Name: "user", Value: id, Path: "/"}
		if id == "" {
			c.MaxAge = -1
		}
		u := mustURL(t, srv.URL)
		jar.SetCookies(u, []*http.Cookie{c})
	}

	setUser("ann")
	if body := get(); !strings.Contains(body, `webim.identify("ann"`) || strings.Contains(body, "reset") {
		t.Fatalf("signed in: %s", body)
	}
	if body := get(); strings.Contains(body, "reset") {
		t.Fatalf("signed in, second page: %s", body)
	}
	setUser("bob") // someone else signs in on the same browser
	body := get()
	if !strings.Contains(body, wrapped("webim.reset();")+wrapped("helpcrunch.reset();")+`webim.identify("bob"`) {
		t.Fatalf("visitor changed: want resets, then bob: %s", body)
	}
	setUser("") // sign out
	body = get()
	if strings.Count(body, "webim.reset();") != 1 || strings.Count(body, "helpcrunch.reset();") != 1 || !strings.Contains(body, "webim.anonymous()") {
		t.Fatalf("signed out, first page: want each reset once: %s", body)
	}
	for i := 0; i < 2; i++ {
		if body := get(); strings.Contains(body, "reset") {
			t.Fatalf("signed out, later page %d: want no reset: %s", i, body)
		}
	}
}

func TestWrapConcurrentVisitorsDoNotMix(t *testing.T) {
	h := mustNew(t, Config{
		Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}, &fakeVendor{name: "zendesk"}},
		Sources: []Source{&countingSource{}},
		SignOut: SignOut{HashKey: []byte(testKey)},
	}).Wrap(htmlApp())
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				id := fmt.Sprintf("user-%d-%d", g, i)
				var r *http.Request
				if i%3 == 0 {
					r = withCookies("/") // anonymous between identified pages
					id = ""
				} else {
					r = withCookies("/", &http.Cookie{Name: "user", Value: id})
				}
				body := normalize(t, serve(h, r).Body.String())
				want := "webim.anonymous();"
				if id != "" {
					want = `webim.identify("` + id + `"`
				}
				if strings.Count(body, "identify(") > 2 || !strings.Contains(body, want) {
					errs <- body
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for body := range errs {
		t.Errorf("page with another request's script: %s", body)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestWrapNilPanics(t *testing.T) {
	m := mustNew(t, Config{Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}}})
	defer func() {
		if recover() == nil {
			t.Error("Wrap(nil) did not panic")
		}
	}()
	m.Wrap(nil)
}
