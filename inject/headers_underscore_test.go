package inject

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestUnderscoreCacheFields: a field name with '_' for '-' is a valid name
// of its own to net/http, which sends it as written, but some proxies and
// server interfaces (CGI and what follows its naming) treat the two as one.
// On a private page no cache field or validator may go out in that spelling
// either; other underscore names pass.
func TestUnderscoreCacheFields(t *testing.T) {
	const page = "<!doctype html><html><head><title>t</title></head><body>x</body></html>"
	odd := []string{"Cache_Control", "cache_control", "CDN_Cache_Control", "cloudflare_cdn_cache_control",
		"Surrogate_Control", "x_accel_expires", "Edge_Control", "Last_Modified", "accept_ranges", "Cache-_Control"}
	app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html")
		for _, k := range odd {
			h[k] = []string{"public, s-maxage=600"}
		}
		h["X_Request_Id"] = []string{"kept"}
		_, _ = io.WriteString(w, page)
	})
	srv := httptest.NewServer(Handler(app, constScript(testScript)))
	defer srv.Close()
	r := rawRequest(t, srv.Listener.Addr().String(), http.MethodGet, "/")
	checkWireCaching(t, r)
	for _, f := range r.fields {
		n := strings.ReplaceAll(asciiLower(f[0]), "_", "-")
		if f[0] != "Cache-Control" && (strings.HasSuffix(n, "cache-control") || n == "surrogate-control" ||
			n == "x-accel-expires" || n == "edge-control" || n == "last-modified" || n == "accept-ranges") {
			t.Errorf("%s: %s reached the wire", f[0], f[1])
		}
	}
	if v := r.values("x_request_id"); len(v) != 1 {
		t.Errorf("X_Request_Id %q, want it kept", v)
	}
}
