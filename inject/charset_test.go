package inject

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

func TestAsciiIncompatibleLabel(t *testing.T) {
	for _, l := range []string{
		"utf-16", "UTF-16LE", "utf-16be", `"utf-16"`, "utf_16", "UTF16", " utf-16 ", `"utf\-16"`,
		"utf-32", "utf-32le", "UTF-32BE", "ucs-2", "ucs-4", "iso-10646-ucs-2", "csunicode",
		"unicodefffe", "unicodefeff", "unicode", "cp1200", "cp1201", "cp12000", "utf-7",
		"unicode-1-1-utf-7", "iso-2022-jp", "csiso2022jp", "iso-2022-kr", "iso-2022-cn-ext",
		"hz-gb-2312", "replacement", "scsu", "bocu-1", "ibm037", "cp037", "ebcdic-cp-us",
		"IBM1047", "ibm-1047", "ibm01140", "cp1026", "csibm273", "cp20273", "x-ibm-1047",
		"ccsid500", "ebcdic-de-273+euro", "ISO-10646-J-1", "CP50220",
		strings.Repeat("x", 70), // longer than any real label
	} {
		if !asciiIncompatibleLabel(l) {
			t.Errorf("%q: not declined", l)
		}
	}
	for _, l := range []string{
		"utf-8", "UTF-8", `"utf-8"`, "utf8", "unicode-1-1-utf-8", "x-unicode20utf8", "cesu-8",
		"windows-1251", "koi8-r", "iso-8859-1", "latin1", "us-ascii", "shift_jis", "euc-jp",
		"euc-kr", "gb18030", "gbk", "big5", "ibm866", "ibm437", "cp850", "ibm00858",
		"x-user-defined", "macintosh", "", "nonsense",
	} {
		if asciiIncompatibleLabel(l) {
			t.Errorf("%q: declined", l)
		}
	}
}

func TestAsciiIncompatibleType(t *testing.T) {
	for _, tc := range []struct {
		ct   []string
		want bool
	}{
		{[]string{"text/html; charset=utf-16"}, true},
		{[]string{"text/html;charset=UTF-16LE"}, true},
		{[]string{`text/html; charset="utf-16be"`}, true},
		{[]string{"text/html; CHARSET = utf-16"}, true},
		{[]string{"text/html; charset=utf-8; charset=utf-16"}, true}, // any charset parameter counts
		{[]string{"text/html; charset=utf-8", "text/html; charset=utf-16"}, true},
		{[]string{`text/html; x="a;charset=utf-8"; charset=iso-2022-jp`}, true},
		{[]string{"text/html; charset=utf-8"}, false},
		{[]string{"text/html"}, false},
		{[]string{`text/html; x="charset=utf-16"`}, false}, // inside a quoted value
		{[]string{"text/html; xcharset=utf-16"}, false},
		{[]string{"text/html; charset=windows-1251"}, false},
	} {
		if got := asciiIncompatibleType(tc.ct); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.ct, got, tc.want)
		}
	}
}

// TestCharsetLabelsDifferential checks every label of the WHATWG Encoding
// standard and every IANA charset name and alias (testdata/charset-labels.txt)
// against golang.org/x/text:
//
//   - a WHATWG label is declined exactly when the encoding browsers use for
//     it is not ASCII-compatible (UTF-16BE, UTF-16LE, ISO-2022-JP,
//     replacement), in any case and quoted;
//   - an IANA label whose encoding x/text implements is declined when that
//     encoding does not encode and decode a script as the same bytes;
//   - every alias of one IANA charset gets the same verdict.
func TestCharsetLabelsDifferential(t *testing.T) {
	data, err := os.ReadFile("testdata/charset-labels.txt")
	if err != nil {
		t.Fatal(err)
	}
	nonASCII := []string{"utf-16be", "utf-16le", "iso-2022-jp", "replacement"}
	groups := map[string][]string{}
	var nWHATWG, nIANA, nDecoded int
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		label, got := f[1], asciiIncompatibleLabel(f[1])
		switch f[0] {
		case "whatwg":
			nWHATWG++
			enc, err := htmlindex.Get(label)
			if err != nil {
				t.Errorf("%q: %v", label, err)
				continue
			}
			name, err := htmlindex.Name(enc)
			if err != nil {
				t.Errorf("%q: %v", label, err)
				continue
			}
			want := slices.Contains(nonASCII, name)
			if got != want {
				t.Errorf("WHATWG label %q (%s): declined %v, want %v", label, name, got, want)
			}
			ct := `text/html; charset="` + strings.ToUpper(label) + `"`
			if g := asciiIncompatibleType([]string{ct}); g != want {
				t.Errorf("%q: declined %v, want %v", ct, g, want)
			}
		case "iana":
			nIANA++
			groups[f[2]] = append(groups[f[2]], label)
			enc, err := ianaindex.IANA.Encoding(label)
			if err != nil || enc == nil {
				continue // x/text knows the name but has no implementation
			}
			nDecoded++
			if breaksASCII(enc) && !got {
				t.Errorf("IANA label %q: its encoding does not keep ASCII, not declined", label)
			}
		}
	}
	for name, labels := range groups {
		first := asciiIncompatibleLabel(labels[0])
		for _, l := range labels[1:] {
			if asciiIncompatibleLabel(l) != first {
				t.Errorf("IANA charset %s: aliases %q get different verdicts", name, labels)
				break
			}
		}
	}
	if nWHATWG < 200 || nIANA < 800 || nDecoded < 100 {
		t.Fatalf("read %d WHATWG labels, %d IANA labels (%d decodable): the list is incomplete", nWHATWG, nIANA, nDecoded)
	}
}

// breaksASCII reports whether enc does not map an ASCII script to the same
// bytes both ways.
func breaksASCII(enc encoding.Encoding) bool {
	const s = `<script>window.chat={id:"42",a:[1]};</script>`
	d, err := enc.NewDecoder().String(s)
	if err != nil || d != s {
		return true
	}
	e, err := enc.NewEncoder().String(s)
	return err != nil || e != s
}

// TestCharsetPassesThrough: pages in a charset that is not ASCII-compatible,
// or starting with a UTF-16 byte order mark (written whole, a byte at a
// time, or through ReadFrom), pass byte-identical with their headers, as
// Charset, and the script function is not called. A UTF-8 byte order mark
// does not count.
func TestCharsetPassesThrough(t *testing.T) {
	utf16le := "\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00<\x00h\x00e\x00a\x00d\x00>\x00"
	utf16be := "\xfe\xff\x00<\x00h\x00e\x00a\x00d\x00>"
	ascii16 := "<html><head></head><body>x</body></html>" // what an ASCII-only scanner sees
	for _, tc := range []struct {
		name, ct, body string
		chunks         int // 0: one write; 1: a byte at a time; -1: ReadFrom
	}{
		{"utf-16 declared", "text/html; charset=utf-16", ascii16, 0},
		{"utf-16le declared", "text/html; charset=UTF-16LE", ascii16, 0},
		{"iso-2022-jp declared", "text/html; charset=iso-2022-jp", ascii16, 0},
		{"ebcdic declared", "text/html; charset=ibm037", ascii16, 0},
		{"le BOM, utf-8 declared", "text/html; charset=utf-8", utf16le, 0},
		{"be BOM, no charset", "text/html", utf16be, 0},
		{"le BOM, a byte at a time", "text/html; charset=utf-8", utf16le, 1},
		{"be BOM, a byte at a time", "text/html", utf16be, 1},
		{"le BOM, ReadFrom", "text/html", utf16le, -1},
		{"utf-16 declared, ReadFrom", "text/html; charset=utf-16", ascii16, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			script := func(*http.Request) []byte { called = true; return []byte(testScript) }
			app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", tc.ct)
				w.Header().Set("Cache-Control", "public, max-age=60")
				switch tc.chunks {
				case 0:
					_, _ = io.WriteString(w, tc.body)
				case 1:
					_, _ = w.Write(nil)
					for i := range len(tc.body) {
						_, _ = io.WriteString(w, tc.body[i:i+1])
					}
				case -1:
					_, _ = w.(io.ReaderFrom).ReadFrom(strings.NewReader(tc.body))
				}
			})
			var obs outcomes
			tp := &tapRF{tap: newTap()}
			Handler(app, script, Observe(obs.observe)).ServeHTTP(tp, httptest.NewRequest(http.MethodGet, "/", nil))
			if out := obs.one(t); out.Reason != Charset {
				t.Fatalf("outcome %+v, want charset", out)
			}
			if tp.body.String() != tc.body {
				t.Fatalf("body %q, want %q", tp.body.String(), tc.body)
			}
			if called {
				t.Fatal("script function called")
			}
			if cc := tp.sent["Cache-Control"]; !slices.Equal(cc, []string{"public, max-age=60"}) {
				t.Fatalf("Cache-Control %q changed", cc)
			}
		})
	}
	// A UTF-8 byte order mark, or one of the BOM's bytes alone, is no
	// reason to decline.
	for _, body := range []string{"\xef\xbb\xbf<html><head></head></html>", "\xff<html><head></head></html>"} {
		tp, out := run(t, writes(htmlType, body[:1], body[1:]))
		if out.Reason != Injected || !strings.Contains(tp.body.String(), element) {
			t.Errorf("%q: outcome %+v, body %q", body, out, tp.body.String())
		}
	}
}
