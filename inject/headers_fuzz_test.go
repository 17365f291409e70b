package inject

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// FuzzPrivatize gives privatize any Cache-Control and Vary values (one per
// line) and checks, with reference readings of both headers written here
// (Cache-Control directives may hold quoted strings, whose commas do not
// split; Vary holds bare field names; names compare with ASCII folding, as
// caches do), that the response can no longer be stored by a shared cache
// for another visitor:
//
//   - Cache-Control is one value holding a bare private and no public,
//     s-maxage or field-qualified private; every other directive of the
//     input is kept, as written and in order;
//   - Vary lists Cookie (or keeps *), and keeps every field it had;
//   - ETag, Last-Modified, Accept-Ranges, CDN-Cache-Control and
//     Surrogate-Control are gone, and Content-Length has grown;
//   - privatize over its own output changes nothing.
func FuzzPrivatize(f *testing.F) {
	for _, c := range []struct{ cc, vary string }{
		{"public, max-age=60, s-maxage=600", "Accept-Encoding"},
		{"", ""},
		{"private", "Cookie"},
		{`no-cache="Set-Cookie, public", PUBLIC`, "Origin\nAccept-Encoding"},
		{`private="Set-Cookie", ext="a\"b,c", max-age=0`, "*"},
		{"max-age=0, PRIVATE\nno-store", "cookie, Accept"},
		{"\u017f-maxage=60, public", "Coo\u212aie"},
		{` , ,public,, "`, ", ,"},
	} {
		f.Add(c.cc, c.vary)
	}
	f.Fuzz(func(t *testing.T, ccText, varyText string) {
		h := http.Header{
			"Content-Length":    {"100"},
			"Etag":              {`"v1"`},
			"Last-Modified":     {"Mon, 02 Jan 2006 15:04:05 GMT"},
			"Accept-Ranges":     {"bytes"},
			"Cdn-Cache-Control": {"max-age=3600"},
			"Surrogate-Control": {"max-age=3600"},
		}
		ccIn, varyIn := headerValues(ccText), headerValues(varyText)
		if ccIn != nil {
			h["Cache-Control"] = slices.Clone(ccIn)
		}
		if varyIn != nil {
			h["Vary"] = slices.Clone(varyIn)
		}
		privatize(h, 7, true, nil)

		for _, k := range []string{"Etag", "Last-Modified", "Accept-Ranges", "Cdn-Cache-Control", "Surrogate-Control"} {
			if _, ok := h[k]; ok {
				t.Fatalf("%s kept: %q", k, h)
			}
		}
		if got := h["Content-Length"]; len(got) != 1 || got[0] != "107" {
			t.Fatalf("Content-Length %q, want 107", got)
		}

		cc := h["Cache-Control"]
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
		// Directives are kept when the input is well formed. A quoted
		// string left open by one line makes that line, and any line joined
		// after it, unreadable to every recipient already; only the checks
		// above apply then.
		if !slices.ContainsFunc(ccIn, openQuote) {
			var kept []string
			for _, e := range refListElements(ccIn) {
				// Dropping a directive only makes the response more
				// private, so any white space around a name may count.
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

		vary := refFieldNames(h["Vary"])
		if !slices.Contains(vary, "*") && !slices.ContainsFunc(vary, func(e string) bool { return asciiLower(e) == "cookie" }) {
			t.Fatalf("Vary %q → %q: no Cookie", varyIn, h["Vary"])
		}
		if !isSubsequenceOf(refFieldNames(varyIn), vary) {
			t.Fatalf("Vary %q → %q: fields lost", varyIn, h["Vary"])
		}

		again := http.Header{"Cache-Control": slices.Clone(h["Cache-Control"]), "Vary": slices.Clone(h["Vary"])}
		privatize(again, 0, false, nil)
		if !slices.Equal(again["Cache-Control"], h["Cache-Control"]) || !slices.Equal(again["Vary"], h["Vary"]) {
			t.Fatalf("second pass changed %q / %q into %q / %q", h["Cache-Control"], h["Vary"], again["Cache-Control"], again["Vary"])
		}
	})
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
