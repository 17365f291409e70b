package middleware

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chatident/chatident/vendors"
)

// BenchmarkIdentity measures what the page runtime costs the server when
// the identity did not change: one GET of the identity endpoint per swap,
// beside the bare application serving the same 2 KiB page, the identified
// page through chatident, and an htmx partial (which passes through).
func BenchmarkIdentity(b *testing.B) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(benchPage)
	})
	key := func(name string) []byte { return []byte(testKey + "-" + name) } // one key, one purpose
	m, err := New(Config{
		Vendors: []vendors.Vendor{
			&vendors.Webim{PrivateKey: key("webim"), IDKey: key("webim-id")},
			&vendors.Edna{IDKey: key("edna")},
			&vendors.HelpCrunch{Organization: "shop", AppID: "3", Secret: key("helpcrunch")},
			&vendors.Zendesk{Secret: key("zendesk"), AccountKey: "acct-key"},
		},
		Observer: &countingObserver{},
		SignOut:  SignOut{HashKey: key("signout")},
	})
	if err != nil {
		b.Fatal(err)
	}
	h := m.Wrap(app)
	visitor := func(r *http.Request) *http.Request {
		return r.WithContext(WithVisitor(r.Context(), vendors.Visitor{ID: "user-42", Name: "Ann", Email: "ann@example.com"}))
	}
	// The browser already holds its marker, as after the first page.
	first := httptest.NewRecorder()
	h.ServeHTTP(first, visitor(httptest.NewRequest(http.MethodGet, "/", nil)))
	var marker *http.Cookie
	for _, c := range first.Result().Cookies() {
		if c.Name == DefaultSignOutCookie {
			marker = c
		}
	}
	if marker == nil {
		b.Fatal("no marker")
	}
	req := func(path string, header ...string) *http.Request {
		r := visitor(httptest.NewRequest(http.MethodGet, path, nil))
		r.AddCookie(marker)
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		return r
	}
	for _, bc := range []struct {
		name string
		h    http.Handler
		r    *http.Request
	}{
		{"bare/page", app, req("/")},
		{"wrapped/page_identified", h, req("/", "Sec-Fetch-Dest", "document", "Sec-Fetch-Mode", "navigate")},
		{"wrapped/htmx_partial", h, req("/", "HX-Request", "true", "Sec-Fetch-Dest", "empty", "Sec-Fetch-Mode", "cors")},
		{"wrapped/identity_unchanged", h, req("/_chatident/identity", "Sec-Fetch-Site", "same-origin")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w := &discardWriter{h: make(http.Header)}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				bc.h.ServeHTTP(w, bc.r)
			}
		})
	}
	// The answer's size: what one swap adds on the wire, before headers.
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req("/_chatident/identity"))
	b.ReportMetric(float64(w.Body.Len()), "identity-bytes")
}
