package middleware

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chatident/chatident/internal/testenv"
	"github.com/chatident/chatident/vendors"
)

// benchPage is a 2 KiB HTML page.
var benchPage = func() []byte {
	head := "<!doctype html><html><head><meta charset=utf-8><title>Shop</title></head><body>"
	tail := "</body></html>"
	fill := strings.Repeat("<p>Some product text here.</p>\n", 64)
	return []byte(head + fill[:2048-len(head)-len(tail)] + tail)
}()

// discardWriter is a ResponseWriter that keeps nothing but its headers,
// cleared for each request, so the benchmark measures the middleware.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// benchVendor writes two constant values, as a cheap real vendor would.
type benchVendor struct{ name string }

func (v benchVendor) Name() string { return v.name }
func (v benchVendor) Prepare(vendors.Setup) (vendors.Script, error) {
	return vendors.Script{Identify: "w.x=d;", Anonymous: "w.x=null;", Reset: "w.x=undefined;"}, nil
}
func (v benchVendor) Identify(_ context.Context, _ vendors.Request, _ vendors.Visitor, d *vendors.Data) error {
	d.String("id", "user-42")
	d.String("hash", "0123456789abcdef0123456789abcdef")
	return nil
}

func BenchmarkMiddleware(b *testing.B) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api" {
			w.Header().Set("Content-Type", "application/json")
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		w.Write(benchPage)
	})
	var vs []vendors.Vendor
	for _, name := range []string{"webim", "edna", "helpcrunch", "zendesk"} {
		vs = append(vs, benchVendor{name})
	}
	m, err := New(Config{Vendors: vs, Observer: &countingObserver{}, SignOut: SignOut{HashKey: []byte(testKey)}})
	if err != nil {
		b.Fatal(err)
	}
	wrapped := m.Wrap(app)
	ctxVisitor := func(r *http.Request) *http.Request {
		return r.WithContext(WithVisitor(r.Context(), vendors.Visitor{ID: "user-42"}))
	}
	key := []byte(testKey)
	realMW, err := New(Config{
		Vendors: []vendors.Vendor{
			&vendors.Webim{PrivateKey: benchKey("webim"), IDKey: benchKey("webim-id")},
			&vendors.Edna{IDKey: benchKey("edna")},
			&vendors.HelpCrunch{Organization: "shop", AppID: "3", Secret: benchKey("helpcrunch")},
			&vendors.Zendesk{Secret: benchKey("zendesk"), AccountKey: "acct-key"},
		},
		Observer: &countingObserver{},
		SignOut:  SignOut{HashKey: key},
	})
	if err != nil {
		b.Fatal(err)
	}
	identified := ctxVisitor(httptest.NewRequest(http.MethodGet, "/", nil))
	// The browser already holds its marker, as on every page after the first.
	marker := markerFrom(b, buildPage(m, ctxVisitor(httptest.NewRequest(http.MethodGet, "/", nil)), ""))
	identified.AddCookie(marker)

	for _, bc := range []struct {
		name string
		h    http.Handler
		r    *http.Request
	}{
		{"bare/html", app, httptest.NewRequest(http.MethodGet, "/", nil)},
		{"wrapped/html_anonymous", wrapped, httptest.NewRequest(http.MethodGet, "/", nil)},
		{"wrapped/html_identified", wrapped, identified},
		{"wrapped/html_identified_real_vendors", realMW.Wrap(app), identified},
		{"wrapped/html_anonymous_real_vendors", realMW.Wrap(app), httptest.NewRequest(http.MethodGet, "/", nil)},
		{"bare/json", app, httptest.NewRequest(http.MethodGet, "/api", nil)},
		{"wrapped/json", wrapped, httptest.NewRequest(http.MethodGet, "/api", nil)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w := &discardWriter{h: make(http.Header)}
			b.ReportAllocs()
			b.SetBytes(int64(len(benchPage)))
			start := cpuTime(b)
			for b.Loop() {
				clear(w.h)
				bc.h.ServeHTTP(w, bc.r)
			}
			b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// countingObserver is a minimal Observer, safe for concurrent use.
type countingObserver struct{ n [8]atomic.Int64 }

func (c *countingObserver) Observe(_ context.Context, e Event) { c.n[e.Kind&7].Add(1) }

// benchKey is a distinct test key per purpose: New refuses one key in two
// places.
func benchKey(purpose string) []byte {
	return []byte(purpose + "-bench-key-not-a-secret-0123456789")
}

// TestAllocsIdentifiedPage holds the identified page with the four real
// vendors to a handful of allocations over the bare app's, once the pools and
// memos are warm: the page data is written into one pooled buffer, signed
// values come from the memo, and nothing rides in the request context.
func TestAllocsIdentifiedPage(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	testenv.SkipUnderRace(t, "allocation counts: sync.Pool drops items on purpose under the race detector")
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api" {
			w.Header().Set("Content-Type", "application/json")
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		w.Write(benchPage)
	})
	m, err := New(Config{
		Vendors: []vendors.Vendor{
			&vendors.Webim{PrivateKey: benchKey("webim"), IDKey: benchKey("webim-id")},
			&vendors.Edna{IDKey: benchKey("edna")},
			&vendors.HelpCrunch{Organization: "shop", AppID: "3", Secret: benchKey("helpcrunch")},
			&vendors.Zendesk{Secret: benchKey("zendesk"), AccountKey: "acct-key"},
		},
		Observer: &countingObserver{},
		SignOut:  SignOut{HashKey: benchKey("sign-out")},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r = r.WithContext(WithVisitor(r.Context(), vendors.Visitor{ID: "user-42", Name: "Anna", Email: "anna@example.com"}))
	r.AddCookie(markerFrom(t, buildPage(m, r, "")))
	w := &discardWriter{h: make(http.Header)}
	count := func(h http.Handler, r *http.Request) float64 {
		return testing.AllocsPerRun(200, func() {
			clear(w.h)
			h.ServeHTTP(w, r)
		})
	}
	wrapped := m.Wrap(app)
	for _, tc := range []struct {
		name string
		r    *http.Request
		max  float64
	}{
		{"identified", r, 5},
		{"json", httptest.NewRequest(http.MethodGet, "/api", nil), 1},
	} {
		bare := count(app, tc.r)
		if got := count(wrapped, tc.r) - bare; got > tc.max {
			t.Errorf("%s: %.0f allocations over the bare app's, want at most %.0f", tc.name, got, tc.max)
		}
	}
}
