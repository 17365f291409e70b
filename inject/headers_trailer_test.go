package inject

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestTrailersCarryNoCacheFields: an application can send header fields
// after the body as trailers, declared in Trailer or written under
// http.TrailerPrefix, in any spelling. On a page that carries a script made
// for one visitor, no cache field or validator may go out that way either:
// what privatize removed from the header must not come back after the body.
// Fields that are nothing to caches (a checksum) still go out.
func TestTrailersCarryNoCacheFields(t *testing.T) {
	const page = "<!doctype html><html><head><title>t</title></head><body>x</body></html>"
	app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html")
		h.Set("Trailer", "Surrogate-Control, etag, X-Checksum")
		h.Add("Trailer", "Cdn-Cache-Control")
		_, _ = io.WriteString(w, page)
		h.Set("Surrogate-Control", "max-age=600")
		h["etag"] = []string{`"v1"`}
		h.Set("Cdn-Cache-Control", "max-age=600")
		h.Set("X-Checksum", "abc")
		h[http.TrailerPrefix+"cloudflare-cdn-cache-control"] = []string{"max-age=600"}
		h[http.TrailerPrefix+"Last-Modified"] = []string{"Mon, 02 Jan 2006 15:04:05 GMT"}
		h[http.TrailerPrefix+"X-Accel-Expires"] = []string{"600"}
		h[http.TrailerPrefix+"Vary"] = []string{"Accept-Language"}
		h[http.TrailerPrefix+"X-Other"] = []string{"kept"}
	})
	for _, at := range []Placement{AfterHeadOpen, BeforeBodyClose} {
		srv := httptest.NewServer(Handler(app, constScript(testScript), At(at)))
		r := rawRequest(t, srv.Listener.Addr().String(), http.MethodGet, "/")
		srv.Close()
		_, trailer, ok := strings.Cut(r.body, "\r\n0\r\n")
		if !ok {
			t.Fatalf("%v: no chunked body: %q", at, r.body)
		}
		if !strings.Contains(r.body, "<script>"+testScript) {
			t.Fatalf("%v: not injected: %q", at, r.body)
		}
		low := asciiLower(trailer)
		for _, name := range []string{"surrogate-control", "etag", "cdn-cache-control", "last-modified", "x-accel-expires", "vary"} {
			if strings.Contains(low, name+":") {
				t.Errorf("%v: trailer %s went out: %q", at, name, trailer)
			}
		}
		for _, name := range []string{"x-checksum: abc", "x-other: kept"} {
			if !strings.Contains(low, name) {
				t.Errorf("%v: trailer %q missing: %q", at, name, trailer)
			}
		}
	}
}
