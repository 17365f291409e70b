package middleware_test

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chatident/chatident/middleware"
)

// HEAD through the whole middleware, with the real vendors, for an
// anonymous visitor, a signed-in one and a browser holding the sign-out
// marker: the page headers chatident decides on are those of the GET, the
// application's Content-Length and validators are gone, there is no body,
// and nothing is spent: no marker is set or expired, and the reset is still
// there for the GET that follows. inject/headers_test.go TestHeadMirrorsGet
// does the same for the rewriter alone, off the wire.
func TestHeadMirrorsGetThroughTheMiddleware(t *testing.T) {
	const page = "<!doctype html><html><head><title>Shop</title></head><body><p>Hi</p></body></html>"
	mw, err := middleware.New(realConfig(nil))
	if err != nil {
		t.Fatal(err)
	}
	h := mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(page)))
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Cache-Control", "max-age=60")
		io.WriteString(w, page) // also for HEAD, as most handlers do
	}))
	login := testLogin(t)
	marker := markerOf(serveReal(h, request("GET", "/", nil, login)))
	if marker == nil {
		t.Fatal("no marker on the signed-in page")
	}
	for _, tc := range []struct {
		name    string
		cookies []*http.Cookie
	}{{"anonymous", nil}, {"signed in", []*http.Cookie{login}}, {"after sign-out", []*http.Cookie{marker}}} {
		t.Run(tc.name, func(t *testing.T) {
			head := serveReal(h, request("HEAD", "/", nil, tc.cookies...))
			get := serveReal(h, request("GET", "/", nil, tc.cookies...))
			hh, gh := head.Result().Header, get.Result().Header
			for _, k := range []string{"Cache-Control", "Vary", "Content-Type", "Etag"} {
				if !slices.Equal(hh[k], gh[k]) {
					t.Errorf("%s: HEAD %q, GET %q", k, hh[k], gh[k])
				}
			}
			if !strings.Contains(gh.Get("Cache-Control"), "private") || !strings.Contains(gh.Get("Vary"), "Cookie") || gh.Get("Etag") != "" {
				t.Errorf("GET headers %v: want private, Vary: Cookie, no ETag", gh)
			}
			if cl, ok := hh["Content-Length"]; ok {
				t.Errorf("HEAD Content-Length %q: the un-injected length", cl)
			}
			if head.Body.Len() != 0 || len(hh["Set-Cookie"]) != 0 {
				t.Errorf("HEAD body %q, Set-Cookie %q; want neither", head.Body, hh["Set-Cookie"])
			}
			if !strings.Contains(get.Body.String(), "<script") {
				t.Errorf("GET after HEAD has no script: %s", get.Body)
			}
			// The GET after the HEAD still gets the reset and expires the marker.
			if tc.name == "after sign-out" {
				if c := markerOf(get); c == nil || c.MaxAge >= 0 || !strings.Contains(get.Body.String(), `"reset":true`) {
					t.Errorf("GET after HEAD: marker %+v, body %s; want the reset, once", c, get.Body)
				}
			}
		})
	}
}
