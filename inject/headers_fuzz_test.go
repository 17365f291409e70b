package inject

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzPrivatize gives privatize any Cache-Control and Vary values (one per
// line), each under a spelling of its name chosen by spell, next to every
// other header chatident governs, also under any spelling, and to the
// targeted cache fields (RFC 9213: any *-CDN-Cache-Control, target giving
// one more name) and the other CDN and proxy cache controls. It checks, with
// reference readings written here (a header is every key that equals its
// name in ASCII case folding, as net/http writes such keys as they are and
// caches compare names so; Cache-Control directives may hold quoted strings,
// whose commas do not split; Vary holds bare field names), that the response
// can no longer be stored by a shared cache for another visitor:
//
//   - Cache-Control is one value holding a bare private and no public,
//     s-maxage or field-qualified private; every other directive of the
//     input is kept, as written and in the order net/http would have sent
//     it;
//   - Vary lists Cookie (or keeps *), and keeps every field it had;
//   - no spelling of ETag, Last-Modified, Accept-Ranges, Surrogate-Control,
//     Edge-Control, X-Accel-Expires or any name ending in -Cache-Control
//     other than Cache-Control itself is left among the keys net/http
//     would send, and Content-Length is one value, grown;
//   - privatize over its own output changes nothing.
//
// The same headers then go through Handler with an HTML page: the page is
// injected (Content-Type and Content-Security-Policy are read under any
// spelling: the element carries the policy's nonce), and what reaches the
// underlying writer passes the same checks, with one Content-Length equal
// to the body's length and one Content-Type.
func FuzzPrivatize(f *testing.F) {
	for i, c := range []struct{ cc, vary, target string }{
		{"public, max-age=60, s-maxage=600", "Accept-Encoding", "Cloudflare"},
		{"", "", ""},
		{"private", "Cookie", "Vercel"},
		{`no-cache="Set-Cookie, public", PUBLIC`, "Origin\nAccept-Encoding", "Netlify"},
		{`private="Set-Cookie", ext="a\"b,c", max-age=0`, "*", "x y"},
		{"max-age=0, PRIVATE\nno-store", "cookie, Accept", "Fastly"},
		{"\u017f-maxage=60, public", "Coo\u212aie", "Akamai"},
		{` , ,public,, "`, ", ,", "-"},
	} {
		f.Add(c.cc, c.vary, uint64(i)*0x9e3779b97f4a7c15, c.target)
	}
	f.Fuzz(func(t *testing.T, ccText, varyText string, spell uint64, target string) {
		sp := speller{state: spell}
		ccIn, varyIn := headerValues(ccText), headerValues(varyText)
		build := func(length int) http.Header {
			h := http.Header{}
			add := func(name string, v string) {
				k := sp.spell(name)
				h[k] = append(h[k], v)
			}
			add("Content-Length", strconv.Itoa(length))
			if sp.next()&1 == 1 {
				add("Content-Length", strconv.Itoa(length)) // the same length twice
			}
			add("ETag", `"v1"`)
			add("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
			add("Accept-Ranges", "bytes")
			for _, v := range ccIn {
				add("Cache-Control", v)
			}
			for _, v := range varyIn {
				add("Vary", v)
			}
			for _, n := range []string{"CDN-Cache-Control", "Cloudflare-CDN-Cache-Control",
				"Vercel-CDN-Cache-Control", "Netlify-CDN-Cache-Control", "Akamai-Cache-Control",
				"Edge-Control", "X-Accel-Expires", "Surrogate-Control", target + "-CDN-Cache-Control"} {
				add(n, "max-age=3600")
			}
			return h
		}

		h := build(100)
		ccWire, varyWire := wireValues(h, "cache-control"), wireValues(h, "vary")
		privatize(h, 7, true, nil)
		checkPrivate(t, h, ccWire, varyWire)
		if got := wireValues(h, "content-length"); !slices.Equal(got, []string{"107"}) {
			t.Fatalf("Content-Length %q, want 107 once", got)
		}
		again := http.Header{"Cache-Control": slices.Clone(h["Cache-Control"]), "Vary": slices.Clone(h["Vary"])}
		privatize(again, 0, false, nil)
		if !slices.Equal(again["Cache-Control"], h["Cache-Control"]) || !slices.Equal(again["Vary"], h["Vary"]) {
			t.Fatalf("second pass changed %q / %q into %q / %q", h["Cache-Control"], h["Vary"], again["Cache-Control"], again["Vary"])
		}

		// The same through Handler, with the type and a policy under any
		// spelling too.
		const page = "<!doctype html><html><head><title>t</title></head><body>x</body></html>"
		in := build(len(page))
		in[sp.spell("Content-Type")] = []string{"text/html; charset=utf-8"}
		csp := sp.spell("Content-Security-Policy")
		in[csp] = append(in[csp], "script-src 'nonce-abc'")
		ccWire, varyWire = wireValues(in, "cache-control"), wireValues(in, "vary")
		app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			for k, v := range in {
				w.Header()[k] = slices.Clone(v)
			}
			_, _ = io.WriteString(w, page)
		})
		var obs outcomes
		tp := newTap()
		Handler(app, constScript(testScript), Observe(obs.observe)).ServeHTTP(tp, httptest.NewRequest(http.MethodGet, "/", nil))
		if out := obs.one(t); out.Reason != Injected {
			t.Fatalf("headers %q: outcome %+v, want injected", in, out)
		}
		const elem = `<script nonce="abc">` + testScript + "</script>"
		body := tp.body.String()
		if strings.Count(body, elem) != 1 || strings.Replace(body, elem, "", 1) != page {
			t.Fatalf("body %q: want the page with %q inserted once", body, elem)
		}
		checkPrivate(t, tp.sent, ccWire, varyWire)
		if got := wireValues(tp.sent, "content-length"); !slices.Equal(got, []string{strconv.Itoa(len(body))}) {
			t.Fatalf("Content-Length %q, body %d bytes", got, len(body))
		}
		if got := wireValues(tp.sent, "content-type"); len(got) != 1 {
			t.Fatalf("Content-Type %q, want one", got)
		}
		if got := wireValues(tp.sent, "content-security-policy"); !slices.Equal(got, []string{"script-src 'nonce-abc'"}) {
			t.Fatalf("Content-Security-Policy %q, want the application's", got)
		}
	})
}

// checkPrivate checks the headers h that net/http would send against the
// Cache-Control and Vary values the application set (ccIn, varyIn, in wire
// order); see FuzzPrivatize.
func checkPrivate(t *testing.T, h http.Header, ccIn, varyIn []string) {
	t.Helper()
	for k := range h {
		if validFieldName(k) && refRemoved(k) {
			t.Fatalf("%q kept: %q", k, h)
		}
	}
	cc := wireValues(h, "cache-control")
	if len(cc) != 1 {
		t.Fatalf("Cache-Control %q: want one value", cc)
	}
	out := refListElements(cc)
	private := false
	for _, e := range out {
		switch name := refDirectiveName(e); {
		case asciiLower(e) == "private":
			private = true
		case name == "public", name == "s-maxage", name == "private":
			t.Fatalf("Cache-Control %q keeps %q", cc[0], e)
		}
	}
	if !private {
		t.Fatalf("Cache-Control %q has no bare private", cc[0])
	}
	// Directives are kept when the input is well formed. A quoted string
	// left open by one line makes that line, and any line joined after it,
	// unreadable to every recipient already; only the checks above apply
	// then.
	if !slices.ContainsFunc(ccIn, openQuote) {
		var kept []string
		for _, e := range refListElements(ccIn) {
			// Dropping a directive only makes the response more private,
			// so any white space around a name may count.
			name, _, _ := strings.Cut(e, "=")
			switch asciiLower(strings.TrimSpace(name)) {
			case "public", "s-maxage", "private":
			default:
				kept = append(kept, e)
			}
		}
		if !isSubsequenceOf(kept, out) {
			t.Fatalf("Cache-Control %q → %q: directives %q lost or reordered", ccIn, cc[0], kept)
		}
	}

	vary := refFieldNames(wireValues(h, "vary"))
	if !slices.Contains(vary, "*") && !slices.ContainsFunc(vary, func(e string) bool { return asciiLower(e) == "cookie" }) {
		t.Fatalf("Vary %q → %q: no Cookie", varyIn, vary)
	}
	if !isSubsequenceOf(refFieldNames(varyIn), vary) {
		t.Fatalf("Vary %q → %q: fields lost", varyIn, vary)
	}
}

// speller spells header names in upper, lower, canonical or mixed case, as
// a pseudo-random stream seeded by the fuzzer decides.
type speller struct{ state uint64 }

// next steps a xorshift generator; a zero state stays zero (every name then
// in lower case).
func (s *speller) next() uint64 {
	s.state ^= s.state << 13
	s.state ^= s.state >> 7
	s.state ^= s.state << 17
	return s.state
}

func (s *speller) spell(name string) string {
	b := []byte(name)
	mode := s.next() & 3
	for i, c := range b {
		lower := c | 0x20
		if lower < 'a' || lower > 'z' {
			continue
		}
		switch mode {
		case 0:
			b[i] = lower
		case 1:
			b[i] = lower &^ 0x20
		case 2:
			if s.next()&1 == 1 {
				b[i] = lower &^ 0x20
			} else {
				b[i] = lower
			}
		} // 3: as given
	}
	return string(b)
}

// wireValues returns the values net/http would send for the header name
// (lower case): those of every key equal to it in ASCII case folding, keys
// in sorted order, as net/http writes them.
func wireValues(h http.Header, name string) []string {
	var keys []string
	for k := range h {
		if asciiLower(k) == name {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []string
	for _, k := range keys {
		out = append(out, h[k]...)
	}
	return out
}

// refRemoved reports whether a field must not reach the wire on a
// per-visitor page: a validator, Accept-Ranges, or any cache control a
// shared cache would take over Cache-Control.
func refRemoved(k string) bool {
	switch k = asciiLower(k); k {
	case "etag", "last-modified", "accept-ranges", "surrogate-control", "edge-control", "x-accel-expires":
		return true
	}
	return k != "cache-control" && strings.HasSuffix(k, "-cache-control")
}

// validFieldName reports whether k is a token (RFC 9110), the only names
// net/http sends.
func validFieldName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// refListElements splits HTTP list values into their non-empty elements,
// trimmed of spaces and tabs; a comma inside a quoted string (where a
// backslash escapes the next byte) does not split. A CR is read as the
// space net/http sends in its place.
func refListElements(values []string) []string {
	var out []string
	for _, v := range values {
		v = strings.ReplaceAll(v, "\r", " ")
		var cur strings.Builder
		quoted, escaped := false, false
		flush := func() {
			if e := strings.Trim(cur.String(), " \t"); e != "" {
				out = append(out, e)
			}
			cur.Reset()
		}
		for i := 0; i < len(v); i++ {
			c := v[i]
			switch {
			case escaped:
				escaped = false
			case quoted && c == '\\':
				escaped = true
			case c == '"':
				quoted = !quoted
			case c == ',' && !quoted:
				flush()
				continue
			}
			cur.WriteByte(c)
		}
		flush()
	}
	return out
}

// openQuote reports whether v ends inside a quoted string.
func openQuote(v string) bool {
	quoted := false
	for i := 0; i < len(v); i++ {
		switch {
		case quoted && v[i] == '\\':
			i++
		case v[i] == '"':
			quoted = !quoted
		}
	}
	return quoted
}

// refFieldNames splits Vary values into field names: field names are
// tokens, never quoted, so every comma separates.
func refFieldNames(values []string) []string {
	var out []string
	for _, v := range values {
		for _, e := range strings.Split(strings.ReplaceAll(v, "\r", " "), ",") {
			if e = strings.Trim(e, " \t"); e != "" {
				out = append(out, e)
			}
		}
	}
	return out
}

// refDirectiveName is a Cache-Control element's name, lower-cased (ASCII).
func refDirectiveName(e string) string {
	name, _, _ := strings.Cut(e, "=")
	return asciiLower(strings.Trim(name, " \t"))
}

// isSubsequenceOf reports whether every element of a appears in b, in order.
func isSubsequenceOf(a, b []string) bool {
	i := 0
	for _, x := range b {
		if i < len(a) && a[i] == x {
			i++
		}
	}
	return i == len(a)
}
