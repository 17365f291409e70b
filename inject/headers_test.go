package inject

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
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
