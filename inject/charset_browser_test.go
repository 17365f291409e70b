package inject

import (
	"net/http"
	"testing"
)

// chromiumContentTypes are Content-Type field values (one string per field
// line) with the encoding Chromium 156 decodes an ASCII page served with
// them in, recorded by serving "<html><head><title>ok</title></head>
// <body>hi</body></html>" with each and reading document.characterSet
// (headless /usr/bin/chromium driven by playwright-core). They are the
// differential reference for the charset decision: the browser, not a
// reading of the specifications, says which pages it would decode in an
// encoding that is not ASCII-compatible.
var chromiumContentTypes = []struct {
	ct       []string
	chromium string
}{
	{[]string{`text/html; foo=bar"; charset=utf-16`}, "UTF-16LE"}, // a quote inside a token opens nothing
	{[]string{`text/html; charset="utf-16`}, "UTF-16LE"},
	{[]string{`text/html;charset="\utf-16"`}, "UTF-16LE"},
	{[]string{"text/html;charset=utf-16,text/html"}, "UTF-16LE"},
	{[]string{"text/html, text/html; charset=utf-16"}, "UTF-16LE"},
	{[]string{"text/html; charset=utf-16", "text/html"}, "UTF-16LE"},
	{[]string{"text/html; charset=utf-16le"}, "UTF-16LE"},
	{[]string{"text/html; charset=UTF-16;"}, "UTF-16LE"},
	{[]string{"text/html; charset=unicode"}, "UTF-16LE"},
	{[]string{"text/html; charset=ucs-2"}, "UTF-16LE"},
	{[]string{"text/html; charset=\tutf-16"}, "UTF-16LE"},
	{[]string{"text/html; charset=utf-16be"}, "UTF-16BE"},
	{[]string{"text/html; charset=iso-2022-jp"}, "ISO-2022-JP"},
	{[]string{"text/html; charset=hz-gb-2312"}, "replacement"},
	{[]string{"text/html; charset=iso-2022-kr"}, "replacement"},
	{[]string{"text/html; charset=csiso2022kr"}, "replacement"},
	{[]string{"text/html; charset=replacement"}, "replacement"},
	// ASCII-compatible in Chromium; declining them too is allowed.
	{[]string{`text/html; foo="bar;charset=utf-16"`}, "windows-1252"},
	{[]string{`text/html; foo="x, text/html; charset=utf-16"`}, "windows-1252"},
	{[]string{"text/html; charset=utf-16", "text/html; charset=bogus"}, "windows-1252"},
	{[]string{"text/html; charset=x-mac-ukrainian"}, "x-mac-cyrillic"},
}

// TestCharsetChromiumDifferential: every Content-Type Chromium decodes in an
// encoding that is not ASCII-compatible makes the page pass through
// byte-identical (Charset; NotHTML for a comma-joined type list), in the
// field spelling the application wrote.
func TestCharsetChromiumDifferential(t *testing.T) {
	const page = "<html><head><title>ok</title></head><body>hi</body></html>"
	for _, tc := range chromiumContentTypes {
		compatible := tc.chromium != "UTF-16LE" && tc.chromium != "UTF-16BE" &&
			tc.chromium != "ISO-2022-JP" && tc.chromium != "replacement"
		if compatible {
			continue
		}
		if !asciiIncompatibleType(tc.ct) {
			t.Errorf("%q: Chromium decodes it as %s, asciiIncompatibleType says compatible", tc.ct, tc.chromium)
		}
		for _, key := range []string{"Content-Type", "content-type"} {
			tp, out := run(t, writes(func(w http.ResponseWriter) { w.Header()[key] = tc.ct }, page))
			// A comma-joined list is NotHTML to chatident (see
			// TestContentTypeLists): unchanged as well.
			if out.Reason != Charset && out.Reason != NotHTML || tp.body.String() != page {
				t.Errorf("%s %q (Chromium: %s): outcome %+v, body %q", key, tc.ct, tc.chromium, out, tp.body.String())
			}
		}
	}
	// The reading that declines more must not decline a plain UTF-8 page.
	for _, ct := range []string{"text/html; charset=utf-8", `text/html; charset="utf-8"`, `text/html; q="a;b"; charset=utf-8`,
		`text/html; foo=bar"; charset=utf-8`} {
		if asciiIncompatibleType([]string{ct}) {
			t.Errorf("%q declined", ct)
		}
	}
}
