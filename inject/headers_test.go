package inject

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPrivateCacheControl(t *testing.T) {
	for _, tc := range []struct {
		in      []string
		want    string
		changed bool
	}{
		{nil, "private", true},
		{[]string{""}, "private", true},
		{[]string{"public, max-age=60"}, "private, max-age=60", true},
		{[]string{"no-store"}, "private, no-store", true},
		{[]string{"no-cache, max-age=0, must-revalidate"}, "private, no-cache, max-age=0, must-revalidate", true},
		{[]string{"private"}, "private", false},
		{[]string{"max-age=0, PRIVATE"}, "max-age=0, PRIVATE", false},
		{[]string{"max-age=60, s-maxage=300, PUBLIC"}, "private, max-age=60", true},
		{[]string{"S-MaxAge=10"}, "private", true},
		{[]string{`no-cache="Set-Cookie, X-Foo", public`}, `private, no-cache="Set-Cookie, X-Foo"`, true},
		{[]string{`private="Set-Cookie", max-age=5`}, "private, max-age=5", true},
		{[]string{"public", "max-age=60"}, "private, max-age=60", true},
		{[]string{"private", "no-cache"}, "private, no-cache", true},
		{[]string{`"`, "public"}, `private, ", public`, true}, // one list: the quote runs on
		{[]string{`no-cache="a`, "max-age=0"}, `private, no-cache="a, max-age=0`, true},
		{[]string{`ext="a\"public\", b", public`}, `private, ext="a\"public\", b"`, true},
		// ASCII case folding only, as caches compare directive names.
		{[]string{"\u017f-maxage=60, public"}, "private, \u017f-maxage=60", true},
	} {
		got, changed := privateCacheControl(tc.in)
		if got != tc.want || changed != tc.changed {
			t.Errorf("%q: got %q %v, want %q %v", tc.in, got, changed, tc.want, tc.changed)
		}
	}
}

func TestVaryCookie(t *testing.T) {
	for _, tc := range []struct {
		in      []string
		want    string
		changed bool
	}{
		{nil, "Cookie", true},
		{[]string{""}, "Cookie", true},
		{[]string{"Accept-Encoding"}, "Accept-Encoding, Cookie", true},
		{[]string{"Accept-Encoding, "}, "Accept-Encoding, Cookie", true},
		{[]string{"cookie"}, "", false},
		{[]string{"Accept-Encoding,Cookie"}, "", false},
		{[]string{"*"}, "", false},
		{[]string{"Origin", "Accept-Encoding"}, "Accept-Encoding, Cookie", true},
		{[]string{"Origin", "COOKIE"}, "", false},
		{[]string{"Cookies"}, "Cookies, Cookie", true},
		{[]string{"Coo\u212aie"}, "Coo\u212aie, Cookie", true}, // KELVIN SIGN is not k
		{[]string{`0"0, Cookie`}, "", false},                   // a quote groups nothing in Vary
		{[]string{`"a`}, `"a, Cookie`, true},
	} {
		got, changed := varyCookie(tc.in)
		if got != tc.want || changed != tc.changed {
			t.Errorf("%q: got %q %v, want %q %v", tc.in, got, changed, tc.want, tc.changed)
		}
	}
}

func TestPrivatize(t *testing.T) {
	for _, tc := range []struct {
		name        string
		in          http.Header
		grow        int
		lengthKnown bool
		want        http.Header
	}{
		{"length grows", http.Header{"Content-Length": {"100"}}, 25, true,
			http.Header{"Content-Length": {"125"}, "Cache-Control": {"private"}, "Vary": {"Cookie"}}},
		{"no length stays none", http.Header{}, 25, true,
			http.Header{"Cache-Control": {"private"}, "Vary": {"Cookie"}}},
		{"length removed when unknown", http.Header{"Content-Length": {"100"}}, 25, false,
			http.Header{"Cache-Control": {"private"}, "Vary": {"Cookie"}}},
		{"unreadable length removed", http.Header{"Content-Length": {"1e3"}}, 25, true,
			http.Header{"Cache-Control": {"private"}, "Vary": {"Cookie"}}},
		{"validators, ranges and CDN controls removed", http.Header{
			"Etag": {`"a"`}, "ETag": {`"b"`}, "Last-Modified": {"x"}, "Accept-Ranges": {"bytes"},
			"Cdn-Cache-Control": {"max-age=9"}, "CDN-Cache-Control": {"max-age=9"}, "Surrogate-Control": {"max-age=9"},
			"Cache-Control": {"public, s-maxage=9"}, "Vary": {"Origin", "*"}, "X-Other": {"kept"},
		}, 0, true, http.Header{"Cache-Control": {"private"}, "Vary": {"Origin", "*"}, "X-Other": {"kept"}}},
		{"multi-valued Vary merged into the last", http.Header{"Vary": {"Origin", "Accept-Encoding"}, "Cache-Control": {"private"}}, 0, true,
			http.Header{"Vary": {"Origin", "Accept-Encoding, Cookie"}, "Cache-Control": {"private"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.in.Clone()
			privatize(h, tc.grow, tc.lengthKnown, nil)
			if fmt.Sprint(h) != fmt.Sprint(tc.want) {
				t.Fatalf("got\n%v\nwant\n%v", h, tc.want)
			}
		})
	}
}

func TestPrivatizeValuesAreSeparate(t *testing.T) {
	// Cache-Control and Vary share one backing array; appending to one
	// must not overwrite the other.
	h := http.Header{}
	privatize(h, 0, true, new([2]string))
	h.Add("Cache-Control", "no-transform")
	if !slices.Equal(h["Vary"], []string{"Cookie"}) || !slices.Equal(h["Cache-Control"], []string{"private", "no-transform"}) {
		t.Fatalf("headers %v", h)
	}
}

func TestListElements(t *testing.T) {
	var got []string
	for e := range listElements(` a , "b,c" ,, d="x\"y,z" ,e\`) {
		got = append(got, e)
	}
	want := []string{"a", `"b,c"`, `d="x\"y,z"`, `e\`}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// A script function that sets a cookie on the held headers (as the
// middleware's sign-out marker does) makes the response per-visitor even when
// the page has no marker: its body and validators stay as they were, but no
// shared cache may keep it. Without a cookie, the headers stay the app's own.
func TestNoMarkerHeadersAfterScriptSetCookie(t *testing.T) {
	const page = "<!doctype html><p>no head, no body end tag"
	setup := func(w http.ResponseWriter) {
		htmlType(w)
		w.Header().Set("Content-Length", fmt.Sprint(len(page)))
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Cache-Control", "public, max-age=60")
	}
	for _, setCookie := range []bool{true, false} {
		var obs outcomes
		tp := newTap()
		script := func(r *http.Request) []byte {
			if setCookie {
				tp.Header().Add("Set-Cookie", "seen=1; HttpOnly")
			}
			return []byte(testScript)
		}
		h := Handler(writes(setup, page), script, At(BeforeBodyClose), Observe(obs.observe))
		h.ServeHTTP(tp, httptest.NewRequest(http.MethodGet, "/", nil))
		if out := obs.one(t); out.Reason != NoMarker {
			t.Fatalf("setCookie=%v: outcome %+v, want no_marker", setCookie, out)
		}
		if tp.body.String() != page {
			t.Fatalf("setCookie=%v: body changed: %q", setCookie, tp.body.String())
		}
		want := http.Header{
			"Content-Type":   {"text/html; charset=utf-8"},
			"Content-Length": {fmt.Sprint(len(page))},
			"Etag":           {`"v1"`},
			"Cache-Control":  {"public, max-age=60"},
		}
		if setCookie {
			want["Set-Cookie"] = []string{"seen=1; HttpOnly"}
			want["Cache-Control"] = []string{"private, max-age=60"}
			want["Vary"] = []string{"Cookie"}
		}
		if fmt.Sprint(tp.sent) != fmt.Sprint(want) {
			t.Errorf("setCookie=%v: headers\n%v\nwant\n%v", setCookie, tp.sent, want)
		}
	}
}

// wireResponse is a response as read off the connection, header names as
// the server wrote them.
type wireResponse struct {
	status string
	fields [][2]string // name, value, in order
	body   string
}

// values returns the values of every field whose name equals name in ASCII
// case folding.
func (r wireResponse) values(name string) []string {
	var out []string
	for _, f := range r.fields {
		if asciiLower(f[0]) == name {
			out = append(out, f[1])
		}
	}
	return out
}

// rawRequest sends one HTTP/1.1 request to the server at addr on a fresh
// connection and reads the raw response until the server closes it, so that
// header names are seen as they went out (net/http's client would
// canonicalize and merge them).
func rawRequest(t *testing.T, addr, method, path string) wireResponse {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n", method, path); err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := strings.Cut(string(raw), "\r\n\r\n")
	if !ok {
		t.Fatalf("no end of header in %q", raw)
	}
	lines := strings.Split(head, "\r\n")
	r := wireResponse{status: lines[0], body: body}
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("header line %q", l)
		}
		r.fields = append(r.fields, [2]string{name, strings.TrimSpace(value)})
	}
	return r
}

// wireCacheFieldSet is what TestWireHeadersEverySpelling's application sets:
// every governed header in a spelling of its own, written into the map
// directly (net/http sends such keys as they are), and the targeted cache
// fields of several CDNs.
func wireCacheFieldSet(h http.Header, page string) {
	h["content-type"] = []string{"text/html; charset=utf-8"}
	h["content-length"] = []string{fmt.Sprint(len(page))}
	h["cache-control"] = []string{"public, s-maxage=600"}
	h["CACHE-CONTROL"] = []string{"max-age=60"}
	h["vary"] = []string{"Accept-Encoding"}
	h["etag"] = []string{`"v1"`}
	h["ETag"] = []string{`"v1"`}
	h["last-modified"] = []string{"Mon, 02 Jan 2006 15:04:05 GMT"}
	h["accept-ranges"] = []string{"bytes"}
	h["content-security-policy"] = []string{"script-src 'nonce-r4nd0m'"}
	h["cdn-cache-control"] = []string{"max-age=3600"}
	h["surrogate-control"] = []string{"max-age=3600"}
	h["Cloudflare-CDN-Cache-Control"] = []string{"max-age=3600"}
	h["vercel-cdn-cache-control"] = []string{"max-age=3600"}
	h["Netlify-CDN-Cache-Control"] = []string{"public, max-age=3600"}
	h["Akamai-Cache-Control"] = []string{"max-age=3600"}
	h["edge-control"] = []string{"cache-maxage=1h"}
	h["X-Accel-Expires"] = []string{"3600"}
	h["Some-Future-Cdn-CDN-Cache-Control"] = []string{"max-age=3600"}
}

// wireRemoved are the fields no per-visitor page may carry to a shared
// cache; validators, length and ranges are checked where they apply.
func checkWireCaching(t *testing.T, r wireResponse) {
	t.Helper()
	for _, f := range r.fields {
		n := asciiLower(f[0])
		if n != "cache-control" && strings.HasSuffix(n, "-cache-control") || n == "surrogate-control" || n == "edge-control" || n == "x-accel-expires" {
			t.Errorf("%s: %s: %s reached the wire", r.status, f[0], f[1])
		}
	}
	cc := r.values("cache-control")
	if len(cc) != 1 || !slices.Contains(refListElements(cc), "private") || strings.Contains(asciiLower(cc[0]), "public") || strings.Contains(asciiLower(cc[0]), "s-maxage") {
		t.Errorf("%s: Cache-Control %q, want one private value without public or s-maxage", r.status, cc)
	}
	if !slices.ContainsFunc(refFieldNames(r.values("vary")), func(e string) bool { return asciiLower(e) == "cookie" }) {
		t.Errorf("%s: Vary %q without Cookie", r.status, r.values("vary"))
	}
}

// TestWireHeadersEverySpelling serves, through a real net/http server, pages
// whose application wrote every governed header into the map in a spelling
// of its own, and reads the raw header lines: no second Cache-Control, no
// validator, no targeted cache field, one Content-Length matching the body.
// The page without insertion point whose script function set a cookie gets
// the same cache treatment, its validators kept.
func TestWireHeadersEverySpelling(t *testing.T) {
	const page = "<!doctype html><html><head><title>t</title></head><body>x</body></html>"
	const bare = "<!doctype html><p>no head, no body end"
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, _ *http.Request) {
		wireCacheFieldSet(w.Header(), page)
		_, _ = io.WriteString(w, page)
	})
	mux.HandleFunc("/bare", func(w http.ResponseWriter, _ *http.Request) {
		wireCacheFieldSet(w.Header(), bare)
		_, _ = io.WriteString(w, bare)
	})
	type writerKey struct{}
	script := func(r *http.Request) []byte {
		if r.URL.Path == "/bare" {
			// As chatident's middleware sets its marker, but in lower case.
			w := r.Context().Value(writerKey{}).(http.ResponseWriter)
			w.Header()["set-cookie"] = []string{"seen=1; HttpOnly"}
		}
		return []byte(testScript)
	}
	h := Handler(mux, script, At(BeforeBodyClose))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), writerKey{}, w)))
	}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	r := rawRequest(t, addr, http.MethodGet, "/page")
	const elem = `<script nonce="r4nd0m">` + testScript + "</script>"
	if strings.Count(r.body, elem) != 1 || strings.Replace(r.body, elem, "", 1) != page {
		t.Fatalf("body %q: want the page with %q once", r.body, elem)
	}
	checkWireCaching(t, r)
	for _, n := range []string{"etag", "last-modified", "accept-ranges"} {
		if v := r.values(n); v != nil {
			t.Errorf("%s %q reached the wire", n, v)
		}
	}
	if cl := r.values("content-length"); !slices.Equal(cl, []string{fmt.Sprint(len(r.body))}) {
		t.Errorf("Content-Length %q, body %d bytes", cl, len(r.body))
	}
	if ct := r.values("content-type"); len(ct) != 1 {
		t.Errorf("Content-Type %q, want one", ct)
	}
	if csp := r.values("content-security-policy"); !slices.Equal(csp, []string{"script-src 'nonce-r4nd0m'"}) {
		t.Errorf("Content-Security-Policy %q", csp)
	}

	r = rawRequest(t, addr, http.MethodGet, "/bare")
	if r.body != bare {
		t.Fatalf("body %q, want the page unchanged", r.body)
	}
	checkWireCaching(t, r)
	if cl := r.values("content-length"); !slices.Equal(cl, []string{fmt.Sprint(len(bare))}) {
		t.Errorf("Content-Length %q, body %d bytes", cl, len(bare))
	}
	if et := r.values("etag"); len(et) != 2 {
		t.Errorf("ETag %q: the page is the application's, its validators stay", et)
	}
}

// TestContentTypeLists: the type is read under any spelling, and a type
// list is HTML only when every element is, since a browser may take the type
// or the charset from a later element. Content-Encoding and
// Transfer-Encoding count under any spelling too.
func TestContentTypeLists(t *testing.T) {
	const page = "<html><head></head><body>x</body></html>"
	for _, tc := range []struct {
		name   string
		h      http.Header
		inject bool
	}{
		{"lower-case type", http.Header{"content-type": {"text/html"}}, true},
		{"two spellings, both HTML", http.Header{"Content-Type": {"text/html"}, "CONTENT-TYPE": {"text/html; charset=utf-8"}}, true},
		{"nil canonical, lower-case value", http.Header{"Content-Type": nil, "content-type": {"text/html"}}, true},
		{"HTML then text", http.Header{"Content-Type": {"text/html", "text/plain"}}, false},
		{"HTML then text, two spellings", http.Header{"Content-Type": {"text/html"}, "content-type": {"text/plain"}}, false},
		{"comma list", http.Header{"Content-Type": {"text/html;charset=utf-8, text/plain"}}, false},
		{"lower-case text type, HTML body", http.Header{"content-type": {"text/plain"}}, false},
		{"lower-case content-encoding", http.Header{"Content-Type": {"text/html"}, "content-encoding": {"x-test"}}, false},
		{"lower-case transfer-encoding, no type", http.Header{"transfer-encoding": {"chunked"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp, out := run(t, writes(func(w http.ResponseWriter) {
				for k, v := range tc.h {
					w.Header()[k] = v
				}
			}, page))
			if got := out.Reason == Injected; got != tc.inject {
				t.Fatalf("outcome %+v, want injected %v", out, tc.inject)
			}
			if !tc.inject && tp.body.String() != page {
				t.Fatalf("body %q changed", tp.body.String())
			}
			if tc.inject {
				if ct := wireValues(tp.sent, "content-type"); len(ct) != len(wireValues(tc.h, "content-type")) {
					t.Fatalf("Content-Type %q from %q", ct, tc.h)
				}
			}
		})
	}
}

// TestHeadMirrorsGet serves the same pages to GET and HEAD through a real
// net/http server and compares the raw header lines: every header chatident
// decides on (caching, Vary, validators, ranges, CDN cache fields, type,
// policy) is the same, HEAD carries no body and no Content-Length on a page
// that would get the script (the injected length is unknown without it),
// and the script function is never called for HEAD. Handlers write the body
// for HEAD, return early without one, or use http.ServeContent.
func TestHeadMirrorsGet(t *testing.T) {
	const page = "<!doctype html><html><head><title>t</title></head><body>x</body></html>"
	modTime := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cacheFields := func(h http.Header) {
		h.Set("Cache-Control", "public, max-age=60, s-maxage=600")
		h["cdn-cache-control"] = []string{"max-age=600"}
		h.Set("Cloudflare-CDN-Cache-Control", "max-age=600")
		h.Set("Surrogate-Control", "max-age=600")
		h.Set("Vary", "Accept-Encoding")
		h.Set("Content-Security-Policy", "script-src 'nonce-abc123'")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, _ *http.Request) {
		cacheFields(w.Header())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", fmt.Sprint(len(page)))
		w.Header()["etag"] = []string{`"v1"`}
		w.Header().Set("Last-Modified", modTime.Format(http.TimeFormat))
		_, _ = io.WriteString(w, page) // also for HEAD, as most handlers do
	})
	mux.HandleFunc("/early", func(w http.ResponseWriter, r *http.Request) {
		cacheFields(w.Header())
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("ETag", `"v2"`)
		if r.Method == http.MethodHead {
			return // headers only, no WriteHeader
		}
		_, _ = io.WriteString(w, page)
	})
	mux.HandleFunc("/serve", func(w http.ResponseWriter, r *http.Request) {
		cacheFields(w.Header())
		http.ServeContent(w, r, "index.html", modTime, strings.NewReader(page))
	})
	mux.HandleFunc("/sniffed", func(w http.ResponseWriter, _ *http.Request) {
		cacheFields(w.Header())
		_, _ = io.WriteString(w, page)
	})
	mux.HandleFunc("/json", func(w http.ResponseWriter, _ *http.Request) {
		cacheFields(w.Header())
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"j"`)
		_, _ = io.WriteString(w, `{"a":1}`)
	})
	var mu sync.Mutex
	calls := map[string]int{}
	script := func(r *http.Request) []byte {
		mu.Lock()
		calls[r.Method]++
		mu.Unlock()
		return []byte(testScript)
	}
	var obs outcomes
	srv := httptest.NewServer(Handler(mux, script, Observe(obs.observe)))
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	compared := []string{"cache-control", "vary", "etag", "last-modified", "accept-ranges", "content-type",
		"cdn-cache-control", "cloudflare-cdn-cache-control", "surrogate-control", "content-security-policy", "set-cookie"}
	for _, path := range []string{"/page", "/early", "/serve", "/sniffed", "/json"} {
		get := rawRequest(t, addr, http.MethodGet, path)
		head := rawRequest(t, addr, http.MethodHead, path)
		html := path != "/json"
		if !strings.HasPrefix(get.status, "HTTP/1.1 200") || get.status != head.status {
			t.Errorf("%s: GET %q, HEAD %q", path, get.status, head.status)
		}
		if html != strings.Contains(get.body, "<script") {
			t.Errorf("%s: GET body %q", path, get.body)
		}
		for _, n := range compared {
			if g, h := get.values(n), head.values(n); !slices.Equal(g, h) {
				t.Errorf("%s: %s: GET %q, HEAD %q", path, n, g, h)
			}
		}
		if head.body != "" {
			t.Errorf("%s: HEAD body %q", path, head.body)
		}
		if cl := head.values("content-length"); html && cl != nil {
			t.Errorf("%s: HEAD Content-Length %q: the injected length is not known", path, cl)
		}
		if html {
			checkWireCaching(t, head)
			if v := head.values("etag"); v != nil {
				t.Errorf("%s: HEAD ETag %q", path, v)
			}
		} else if cc := head.values("cache-control"); !slices.Equal(cc, []string{"public, max-age=60, s-maxage=600"}) {
			t.Errorf("%s: HEAD Cache-Control %q: not a page, untouched", path, cc)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if calls[http.MethodHead] != 0 || calls[http.MethodGet] != 4 {
		t.Errorf("script function calls %v, want 4 GET and no HEAD", calls)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	var heads int
	for _, o := range obs.list {
		if o.Reason == Method {
			heads++
		}
	}
	if heads != 4 {
		t.Errorf("outcomes %+v: want 4 %q", obs.list, Method)
	}
}

// TestHeadFlushAndReadFrom: a HEAD handler that flushes, writes and copies
// through ReadFrom sends no body byte, still flushes, and gets the private
// headers without a Content-Length.
func TestHeadFlushAndReadFrom(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		htmlType(w)
		w.Header().Set("Content-Length", "1000")
		w.Header().Set("ETag", `"x"`)
		_, _ = io.WriteString(w, "<!doctype html><html><head>")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
		_, _ = w.(io.ReaderFrom).ReadFrom(strings.NewReader(strings.Repeat("<p>x</p>", 100)))
		_, _ = io.WriteString(w, "</html>")
	})
	var obs outcomes
	tp := &tapRF{tap: newTap()}
	Handler(app, func(*http.Request) []byte { t.Error("script function called for HEAD"); return nil }, Observe(obs.observe)).
		ServeHTTP(tp, httptest.NewRequest(http.MethodHead, "/", nil))
	if out := obs.one(t); out.Reason != Method || out.Status != 200 {
		t.Fatalf("outcome %+v", out)
	}
	if tp.body.Len() != 0 {
		t.Fatalf("HEAD body %q", tp.body.String())
	}
	flushed := slices.ContainsFunc(tp.events, func(e event) bool { return e.kind == "flush" })
	if !flushed {
		t.Fatalf("no flush reached the writer: %+v", tp.events)
	}
	want := http.Header{"Content-Type": {"text/html; charset=utf-8"}, "Cache-Control": {"private"}, "Vary": {"Cookie"}}
	if fmt.Sprint(tp.sent) != fmt.Sprint(want) {
		t.Fatalf("headers %v, want %v", tp.sent, want)
	}
}
