package adaptertest

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Page is the small page the stack checks serve at "/".
const Page = "<!doctype html><html><head><title>Shop</title></head><body><h1>Hello</h1></body></html>"

// BigPage is a page large enough for a compressing middleware to compress.
var BigPage = "<!doctype html><html><head><title>Shop</title></head><body>" +
	strings.Repeat("<p>Everything for the garden, shipped the same day.</p>\n", 250) + "</body></html>"

// get requests path from a test server running h, with header as
// name/value pairs, and returns the response with its body read. Responses
// are not decompressed.
func get(t testing.TB, h http.Handler, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", path, err)
	}
	return res, body
}

// CheckGzipInside checks a router whose compressing middleware runs inside
// chatident and which serves BigPage at "/": the page comes back gzipped,
// private, and with the anonymous script in it.
func CheckGzipInside(t *testing.T, h http.Handler) {
	t.Helper()
	res, body := get(t, h, "/", "Accept-Encoding", "gzip")
	if ce := res.Header.Get("Content-Encoding"); ce != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", ce)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
		t.Errorf("Cache-Control %q, want private", cc)
	}
	zr, err := gzip.NewReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	AssertInjected(t, string(page), BigPage, Anonymous)
}

// CheckFragmentsAndIdentity checks htmx and Turbo through an adapter: h
// serves Page at "/" and takes the visitor from the X-User header (see
// NewMiddleware's callers). Partials, boosted swaps, frames and fetch()es
// pass through untouched while a document gets the script, and the client
// runtime's identity endpoint answers with the visitor, same origin only.
func CheckFragmentsAndIdentity(t *testing.T, h http.Handler) {
	t.Helper()
	for _, f := range [][]string{
		{"HX-Request", "true"},
		{"HX-Request", "true", "HX-Boosted", "true"},
		{"Turbo-Frame", "cart"},
		{"Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"},
	} {
		if _, body := get(t, h, "/", append([]string{"X-User", "u-1"}, f...)...); string(body) != Page {
			t.Errorf("fragment %v: %q, want the page untouched", f, body)
		}
	}
	_, body := get(t, h, "/", "X-User", "u-1", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document")
	AssertInjected(t, string(body), Page, fmt.Sprintf(Identify, "u-1"))

	res, body := get(t, h, "/_chatident/identity", "X-User", "u-2", "Sec-Fetch-Site", "same-origin")
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), fmt.Sprintf(Identify, "u-2")) ||
		res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("identity: %d %v %q; want 200, no-store, the visitor u-2", res.StatusCode, res.Header, body)
	}
	res, body = get(t, h, "/_chatident/identity", "X-User", "u-2", "Sec-Fetch-Site", "cross-site")
	if res.StatusCode != http.StatusForbidden || strings.Contains(string(body), "u-2") {
		t.Errorf("cross-site identity: %d %q; want 403 without the visitor", res.StatusCode, body)
	}
}
