package inject

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// chromiumHTTPCharset are Content-Type field values (one string per line)
// with whether Chromium 156 takes the page's encoding from them (true) or,
// not finding a charset it can use there, from the page's <meta> (false),
// recorded by serving a page with <meta charset=koi8-r> under each and
// reading document.characterSet (headless /usr/bin/chromium driven by
// playwright-core).
var chromiumHTTPCharset = []struct {
	ct   []string
	http bool
}{
	{[]string{"text/html; charset=utf-8"}, true},
	{[]string{"text/html; charset= utf-8"}, true},
	{[]string{"text/html; CHARSET=utf-8"}, true},
	{[]string{"text/html;;charset=utf-8"}, true},
	{[]string{"text/html ; charset=utf-8"}, true},
	{[]string{"text/html; charset=utf-8; charset=bogus"}, true},
	{[]string{"text/html; charset=utf-8", "text/html"}, true},
	{[]string{"text/html; charset = utf-8"}, false}, // white space before '=': no charset parameter
	{[]string{"text/html; charset =utf-8"}, false},
	{[]string{"text/html; charset='utf-8'"}, false},
	{[]string{"text/html; charset*=utf-8"}, false},
	{[]string{"text/html; charset=bogus; charset=utf-8"}, false},
	{[]string{"text/html; charset=utf-8", "text/html; charset=bogus"}, false}, // the last value's charset counts
	{[]string{"text/html; charset=utf-8, text/html; charset=bogus"}, false},
	{[]string{"text/html; charset=utf-8", `text/html; charset=""`}, false},
}

// TestDeclaresCharsetChromium: where Chromium reads the page's encoding from
// its <meta> despite a Content-Type that names UTF-8 somewhere, the default
// placement must keep that <meta> inside the prescan window, so
// declaresCharset must not say the header settled it.
func TestDeclaresCharsetChromium(t *testing.T) {
	for _, tc := range chromiumHTTPCharset {
		if got := declaresCharset(tc.ct); got && !tc.http {
			t.Errorf("declaresCharset(%q) = true, but Chromium decodes the page by its <meta>", tc.ct)
		}
	}
	// Through Handler: a <meta charset> at the end of the window (it ends at
	// byte 1018) stays in it (or the page is left unchanged) under each
	// such header.
	page := "<!doctype html><html><head><title>" + strings.Repeat("x", 955) + "</title><meta charset=koi8-r></head><body>\xc1</body></html>"
	if end := strings.Index(page, "<meta charset=koi8-r>") + len("<meta charset=koi8-r>"); end != 1018 {
		t.Fatalf("the page's <meta charset> ends at %d, want 1018", end)
	}
	for _, tc := range chromiumHTTPCharset {
		if tc.http {
			continue
		}
		tp, out := run(t, writes(func(w http.ResponseWriter) { w.Header()["Content-Type"] = tc.ct }, page))
		body := tp.body.String()
		switch out.Reason {
		case Injected:
			if end := strings.Index(body, "<meta charset=koi8-r>") + len("<meta charset=koi8-r>"); end > charsetWindow {
				t.Errorf("%q: the <meta charset> now ends at byte %d, past the prescan window", tc.ct, end)
			}
		case MetaCharset, NotHTML: // NotHTML: a comma-joined list (see TestContentTypeLists)
			if body != page {
				t.Errorf("%q: declined, but the body changed", tc.ct)
			}
		default:
			t.Errorf("%q: outcome %+v", tc.ct, out)
		}
	}
}

// TestMetaCharsetAfterLateMarkers: with BeforeHeadClose or BeforeBodyClose,
// a <meta charset> that comes after the marker but inside the prescan window
// (templates put it in the body, or after </body>) must not be pushed out of
// the window either: in Chromium a windows-1251 page so served decoded as
// windows-1252 once 1.5 KiB went in before it. Either the meta still ends
// inside the window or the page passes unchanged (MetaCharset).
func TestMetaCharsetAfterLateMarkers(t *testing.T) {
	script := "/*" + strings.Repeat("s", 1500) + "*/"
	const meta = "<meta charset=windows-1251>"
	for _, page := range []string{
		"<html><head><title>x</title></head>" + meta + "<body>\xc1</body></html>",
		"<html><head><title>x</title></head><body>" + meta + "\xc1</body></html>",
		"<html><head></head><body></body>" + meta + "</html>",
		"<html><head></head><body><p>hi</p></body><meta http-equiv=content-type content='text/html; charset=koi8-r'></html>",
		"<html><head></head><body>" + strings.Repeat("x", 900) + "</body>" + meta,
	} {
		for _, p := range []Placement{BeforeHeadClose, BeforeBodyClose} {
			var out Outcome
			tp := newTap()
			app := writes(func(w http.ResponseWriter) { w.Header().Set("Content-Type", "text/html") }, page)
			Handler(app, constScript(script), At(p), Observe(func(_ *http.Request, o Outcome) { out = o })).
				ServeHTTP(tp, httptest.NewRequest(http.MethodGet, "/", nil))
			body := tp.body.String()
			switch out.Reason {
			case Injected:
				if in, got := specSniff([]byte(page)), specSniff([]byte(body)); in != got {
					t.Errorf("%s %q: the prescan finds %q before, %q after the insertion", scanPlacementName(p), page[:50], in, got)
				}
			case MetaCharset:
				if body != page {
					t.Errorf("%s: declined, but the body changed", scanPlacementName(p))
				}
			default:
				t.Errorf("%s %q: outcome %+v", scanPlacementName(p), page[:50], out)
			}
		}
	}
	// With the charset in Content-Type, the meta does not matter: inserted.
	tp, out := run(t, writes(htmlType, "<html><head></head><body></body>"+meta), At(BeforeBodyClose))
	if out.Reason != Injected || !strings.Contains(tp.body.String(), testScript) {
		t.Errorf("charset in Content-Type: outcome %+v", out)
	}
}

// TestMetaCharsetLateMarkersGenerated is TestMetaCharsetAfterLateMarkers
// over generated pages (charsetPage, with the declaration moved after the
// marker or left where it is), written in random chunks: whatever the
// rewriter inserts at BeforeHeadClose or BeforeBodyClose, the prescan finds
// the same encoding in the page before and after; a decline leaves the page
// byte-identical.
func TestMetaCharsetLateMarkersGenerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	decls := []string{`<meta charset=koi8-r>`, `<meta http-equiv=content-type content="text/html; charset=windows-1251">`}
	counts := map[Reason]int{}
	for range 1500 {
		page := string(charsetPage(rng))
		if rng.IntN(2) == 0 {
			marker := []string{"</head>", "</body>"}[rng.IntN(2)]
			if i := strings.Index(page, marker); i >= 0 {
				at := i + len(marker)
				page = page[:at] + decls[rng.IntN(len(decls))] + page[at:]
			}
		}
		p := []Placement{BeforeHeadClose, BeforeBodyClose}[rng.IntN(2)]
		script := "/*" + strings.Repeat("s", rng.IntN(3000)) + "*/"
		cuts := scanFuzzCuts(len(page), []byte{byte(rng.UintN(64)), byte(rng.UintN(16))})
		var out Outcome
		tp := newTap()
		app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			prev := 0
			for _, c := range append(cuts, len(page)) {
				c = min(max(c, prev), len(page))
				_, _ = w.Write([]byte(page[prev:c]))
				prev = c
			}
		})
		Handler(app, constScript(script), At(p), Observe(func(_ *http.Request, o Outcome) { out = o })).
			ServeHTTP(tp, httptest.NewRequest(http.MethodGet, "/", nil))
		counts[out.Reason]++
		body := tp.body.String()
		switch out.Reason {
		case Injected:
			if in, got := specSniff([]byte(page)), specSniff([]byte(body)); in != got {
				t.Fatalf("%s: the prescan finds %q before, %q after the insertion; page %q", scanPlacementName(p), in, got, page)
			}
		case MetaCharset, NoMarker, Ambiguous:
			if body != page {
				t.Fatalf("%s: %s, but the body changed; page %q", scanPlacementName(p), out.Reason, page)
			}
		default:
			t.Fatalf("%s: outcome %+v; page %q", scanPlacementName(p), out, page)
		}
	}
	t.Logf("outcomes: %v", counts)
	if counts[Injected] < 500 {
		t.Errorf("only %d pages got the script", counts[Injected])
	}
}

// TestMetaCharsetCutByWindow: Chromium reads a <meta> that starts inside
// the prescan window and ends past it (its sniffer counts bytes after each
// whole token) and decodes the page by it; after an insertion before it the
// same page decoded as windows-1254 in Chromium. Such a page passes
// unchanged, at every placement that would insert before the meta.
func TestMetaCharsetCutByWindow(t *testing.T) {
	script := "/*" + strings.Repeat("s", 1400) + "*/"
	for _, cut := range []int{1, 5, 10, 20} { // bytes of the meta inside the window
		for _, meta := range []string{"<meta/charset=koi8-r>", `<meta http-equiv=content-type content="text/html; charset=koi8-r">`} {
			head := "<html><head><p><title></title><!--"
			pad := 1024 - cut - len(head) - len("--><title></title>")
			page := head + strings.Repeat("x", pad) + "--><title></title>" + meta + "</head><body>\xc1</body></html>"
			if start := strings.Index(page, "<meta"); start != 1024-cut {
				t.Fatalf("the meta starts at %d, want %d", start, 1024-cut)
			}
			for _, p := range []Placement{AfterHeadOpen} {
				var out Outcome
				tp := newTap()
				app := writes(func(w http.ResponseWriter) { w.Header().Set("Content-Type", "text/html") }, page)
				Handler(app, constScript(script), At(p), Observe(func(_ *http.Request, o Outcome) { out = o })).
					ServeHTTP(tp, httptest.NewRequest(http.MethodGet, "/", nil))
				if out.Reason != MetaCharset || tp.body.String() != page {
					t.Errorf("%s, %d bytes of %q in the window: outcome %+v", scanPlacementName(p), cut, meta, out)
				}
			}
		}
	}
}

// TestMetaCharsetMarkerAcrossWindow: a Before* marker whose '<' lies inside
// the prescan window and whose '>' lies past it is settled when it is read,
// not held to the end of the stream.
func TestMetaCharsetMarkerAcrossWindow(t *testing.T) {
	page := "<html><head><title>" + strings.Repeat("x", 990) + "</title></head" + strings.Repeat(" ", 40) + ">" +
		"<body>" + strings.Repeat("y", 5000) + "</body></html>"
	var flushedBeforeEnd bool
	tp := newTap()
	var out Outcome
	app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		half := len(page) / 2
		_, _ = w.Write([]byte(page[:1030])) // the window, and the marker's start
		_, _ = w.Write([]byte(page[1030:half]))
		w.(http.Flusher).Flush()
		flushedBeforeEnd = strings.Contains(tp.body.String(), "<body>")
		_, _ = w.Write([]byte(page[half:]))
	})
	Handler(app, constScript(testScript), At(BeforeHeadClose), Observe(func(_ *http.Request, o Outcome) { out = o })).
		ServeHTTP(tp, httptest.NewRequest(http.MethodGet, "/", nil))
	if out.Reason != Injected {
		t.Fatalf("outcome %+v", out)
	}
	if !flushedBeforeEnd {
		t.Error("the page after the marker was held until the end of the stream")
	}
}
