package inject

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// navigationCases are the request headers real clients send, with whether
// the response is loaded as a document. The htmx and Turbo headers are the
// ones their sources set (htmx 2.0 and 4.0: "HX-Request", "HX-Boosted",
// "HX-History-Restore-Request"; Turbo 8: "Turbo-Frame" on frame requests,
// "X-Turbo-Request-Id" on every fetch).
var navigationCases = []struct {
	name   string
	header map[string]string
	want   bool
}{
	{"no headers (curl, crawler)", nil, true},
	{"top-level navigation", map[string]string{"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "none"}, true},
	{"iframe", map[string]string{"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Mode": "navigate"}, true},
	{"frame", map[string]string{"Sec-Fetch-Dest": "frame", "Sec-Fetch-Mode": "navigate"}, true},
	{"object showing HTML", map[string]string{"Sec-Fetch-Dest": "object", "Sec-Fetch-Mode": "navigate"}, true},
	{"speculative prerender", map[string]string{"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate", "Sec-Purpose": "prefetch;prerender"}, true},
	{"fetch()", map[string]string{"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"}, false},
	{"same-origin fetch()", map[string]string{"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "same-origin"}, false},
	{"link prefetch", map[string]string{"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "no-cors", "Sec-Purpose": "prefetch"}, false},
	{"only Sec-Fetch-Dest: document", map[string]string{"Sec-Fetch-Dest": "document"}, true},
	{"only Sec-Fetch-Dest: empty", map[string]string{"Sec-Fetch-Dest": "empty"}, false},
	{"only Sec-Fetch-Mode: navigate", map[string]string{"Sec-Fetch-Mode": "navigate"}, true},
	{"htmx partial in Chromium", map[string]string{"HX-Request": "true", "Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"}, false},
	{"htmx partial, no Fetch Metadata", map[string]string{"HX-Request": "true"}, false},
	{"htmx boosted, no Fetch Metadata", map[string]string{"HX-Request": "true", "HX-Boosted": "true"}, false},
	{"htmx history restore, no Fetch Metadata", map[string]string{"HX-History-Restore-Request": "true"}, false},
	{"Turbo frame, no Fetch Metadata", map[string]string{"Turbo-Frame": "messages", "X-Turbo-Request-Id": "0d8a"}, false},
	{"Turbo Drive visit, no Fetch Metadata", map[string]string{"X-Turbo-Request-Id": "0d8a", "Accept": "text/html, application/xhtml+xml"}, false},
	{"Turbo Drive visit in Chromium", map[string]string{"X-Turbo-Request-Id": "0d8a", "Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"}, false},
	{"jQuery", map[string]string{"X-Requested-With": "XMLHttpRequest"}, false},
	{"Fetch Metadata wins over a stray header", map[string]string{"X-Requested-With": "com.example.app", "Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}, true},
	{"lower-case header names", map[string]string{"hx-request": "true"}, false},
}

func TestDocumentNavigation(t *testing.T) {
	for _, tc := range navigationCases {
		r := httptest.NewRequest("GET", "/", nil)
		for k, v := range tc.header {
			r.Header.Set(k, v) // canonicalises, as net/http's server does
		}
		if got := DocumentNavigation(r); got != tc.want {
			t.Errorf("%s: DocumentNavigation = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A fragment passes byte-identical, headers exactly the application's, the
// script function never called, reported as Fragment; a document with the
// same response gets the script.
func TestFragmentsPassUntouched(t *testing.T) {
	app := writes(func(w http.ResponseWriter) {
		htmlType(w)
		w.Header().Set("ETag", `"e"`)
		w.Header().Set("Cache-Control", "public, max-age=60")
	}, simplePage)
	for _, tc := range navigationCases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			script := func(*http.Request) []byte { calls.Add(1); return []byte(testScript) }
			r := httptest.NewRequest("GET", "/", nil)
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			var obs outcomes
			tp := newTap()
			Handler(app, script, Observe(obs.observe)).ServeHTTP(tp, r)
			out := obs.one(t)
			if tc.want {
				if out.Reason != Injected || calls.Load() != 1 {
					t.Fatalf("document: outcome %+v, script called %d times", out, calls.Load())
				}
				return
			}
			if out.Reason != Fragment || out.Status != 200 {
				t.Fatalf("outcome %+v, want Fragment with status 200", out)
			}
			if calls.Load() != 0 {
				t.Fatalf("script called %d times for a fragment", calls.Load())
			}
			if tp.body.String() != simplePage {
				t.Fatalf("body %q", tp.body.String())
			}
			want := http.Header{"Content-Type": {"text/html; charset=utf-8"}, "Etag": {`"e"`}, "Cache-Control": {"public, max-age=60"}}
			if fmt.Sprint(tp.sent) != fmt.Sprint(want) {
				t.Fatalf("headers %v, want %v", tp.sent, want)
			}
		})
	}
}

// A fragment keeps the underlying writer's ReadFrom (sendfile) path.
func TestFragmentReadFromPassesThrough(t *testing.T) {
	data := []byte(strings.Repeat("<li>item</li>", 5000))
	tr := &tapRF{tap: newTap()}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		io.Copy(w, io.LimitReader(bytes.NewReader(data), int64(len(data)))) // LimitReader hides WriterTo
	})
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("HX-Request", "true")
	var obs outcomes
	Handler(app, constScript(testScript), Observe(obs.observe)).ServeHTTP(tr, r)
	if tr.viaReadFrom != int64(len(data)) || !bytes.Equal(tr.body.Bytes(), data) {
		t.Fatalf("ReadFrom carried %d of %d bytes", tr.viaReadFrom, len(data))
	}
	if out := obs.one(t); out.Reason != Fragment {
		t.Fatalf("outcome %+v", out)
	}
}

// Documents replaces the predicate; Documents(nil) keeps the default.
func TestDocumentsOption(t *testing.T) {
	htmx := httptest.NewRequest("GET", "/", nil)
	htmx.Header.Set("HX-Request", "true")
	plain := httptest.NewRequest("GET", "/", nil)
	plain.Header.Set("X-Partial", "1")
	onlyPlain := func(r *http.Request) bool { return r.Header.Get("X-Partial") == "" }
	all := func(*http.Request) bool { return true }
	for _, tc := range []struct {
		name string
		opt  Option
		r    *http.Request
		want Reason
	}{
		{"nil keeps the default", Documents(nil), htmx, Fragment},
		{"every request", Documents(all), htmx, Injected},
		{"own convention refuses", Documents(onlyPlain), plain, Fragment},
		{"own convention accepts htmx", Documents(onlyPlain), htmx, Injected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var obs outcomes
			Handler(writes(htmlType, simplePage), constScript(testScript), tc.opt, Observe(obs.observe)).
				ServeHTTP(newTap(), tc.r)
			if out := obs.one(t); out.Reason != tc.want {
				t.Fatalf("reason %q, want %q", out.Reason, tc.want)
			}
		})
	}
}
