package inject

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// This file checks that the default placement never moves a page's charset
// declaration out of the prescan window. The reference is specPrescan, a
// literal transcription of the HTML standard's "prescan a byte stream to
// determine its encoding" (kept apart from the scanner's streaming version
// on purpose), with x/net's charset.DetermineEncoding as a second opinion.

// specPrescan returns the name of the encoding the prescan of the first
// 1024 bytes of doc finds, or "" when it finds none.
func specPrescan(doc []byte) string {
	b := doc[:min(len(doc), 1024)]
	isSpace := func(c byte) bool { return strings.IndexByte("\t\n\f\r ", c) >= 0 }
	lowerB := func(c byte) byte {
		if 'A' <= c && c <= 'Z' {
			return c + 0x20
		}
		return c
	}
	// getAttr is "get an attribute" from position p; ok is false when
	// there is none (p then points at the '>' or the end).
	getAttr := func(p int) (name, value string, next int, ok bool) {
		for p < len(b) && (isSpace(b[p]) || b[p] == '/') {
			p++
		}
		if p >= len(b) || b[p] == '>' {
			return "", "", p, false
		}
		var n, v []byte
		for {
			if p >= len(b) {
				return "", "", p, false
			}
			c := b[p]
			if c == '=' && len(n) > 0 {
				p++
				goto value
			}
			if isSpace(c) {
				for p < len(b) && isSpace(b[p]) {
					p++
				}
				if p >= len(b) || b[p] != '=' {
					return string(n), "", p, true
				}
				p++
				goto value
			}
			if c == '/' || c == '>' {
				return string(n), "", p, true
			}
			n = append(n, lowerB(c))
			p++
		}
	value:
		for p < len(b) && isSpace(b[p]) {
			p++
		}
		if p >= len(b) {
			return "", "", p, false
		}
		if q := b[p]; q == '"' || q == '\'' {
			for p++; ; p++ {
				if p >= len(b) {
					return "", "", p, false
				}
				if b[p] == q {
					return string(n), string(v), p + 1, true
				}
				v = append(v, lowerB(b[p]))
			}
		}
		if b[p] == '>' {
			return string(n), "", p, true
		}
		v = append(v, lowerB(b[p]))
		p++
		for {
			if p >= len(b) {
				return "", "", p, false
			}
			if c := b[p]; isSpace(c) || c == '>' {
				return string(n), string(v), p, true
			}
			v = append(v, lowerB(b[p]))
			p++
		}
	}
	lookup := func(label string) string {
		if _, name := charset.Lookup(strings.TrimSpace(label)); name != "" {
			switch name {
			case "utf-16be", "utf-16le":
				return "utf-8"
			case "x-user-defined":
				return "windows-1252"
			}
			return name
		}
		return ""
	}
	for p := 0; p < len(b); p++ {
		rest := b[p:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			k := bytes.Index(b[p+2:], []byte("-->"))
			if k < 0 {
				return ""
			}
			p += 2 + k + 2
		case len(rest) >= 6 && strings.EqualFold(string(rest[:5]), "<meta") && (isSpace(rest[5]) || rest[5] == '/'):
			p += 5
			seen := map[string]bool{}
			gotPragma, needPragma, cs := false, 0, "" // needPragma: 0 null, 1 true, 2 false
			for {
				name, value, next, ok := getAttr(p)
				p = next
				if !ok {
					break
				}
				if seen[name] {
					continue
				}
				seen[name] = true
				switch name {
				case "http-equiv":
					gotPragma = gotPragma || value == "content-type"
				case "content":
					if cs == "" {
						if e := specExtractCharset(value); e != "" {
							if l := lookup(e); l != "" {
								cs, needPragma = l, 1
							}
						}
					}
				case "charset":
					cs, needPragma = lookup(value), 2
				}
			}
			if p >= len(b) {
				return "" // the meta did not end inside the window
			}
			if needPragma == 0 || needPragma == 1 && !gotPragma || cs == "" {
				continue
			}
			return cs
		case len(rest) >= 2 && rest[0] == '<' && (isAlpha(rest[1]) || rest[1] == '/' && len(rest) >= 3 && isAlpha(rest[2])):
			for p < len(b) && !isSpace(b[p]) && b[p] != '>' {
				p++
			}
			for {
				_, _, next, ok := getAttr(p)
				p = next
				if !ok {
					break
				}
			}
		case bytes.HasPrefix(rest, []byte("<!")) || bytes.HasPrefix(rest, []byte("</")) || bytes.HasPrefix(rest, []byte("<?")):
			k := bytes.IndexByte(rest, '>')
			if k < 0 {
				return ""
			}
			p += k
		}
	}
	return ""
}

// specSniff is the encoding a browser takes from the bytes of a page served
// without a charset in Content-Type: a byte order mark, else the prescan.
func specSniff(doc []byte) string {
	switch {
	case bytes.HasPrefix(doc, []byte("\xEF\xBB\xBF")):
		return "utf-8 (BOM)"
	case bytes.HasPrefix(doc, []byte("\xFE\xFF")), bytes.HasPrefix(doc, []byte("\xFF\xFE")):
		return "utf-16 (BOM)"
	}
	return specPrescan(doc)
}

// specExtractCharset is "extract a character encoding from a meta element".
func specExtractCharset(s string) string {
	for i := 0; ; {
		k := strings.Index(strings.ToLower(s[i:]), "charset")
		if k < 0 {
			return ""
		}
		i += k + len("charset")
		j := i
		for j < len(s) && strings.IndexByte("\t\n\f\r ", s[j]) >= 0 {
			j++
		}
		if j >= len(s) || s[j] != '=' {
			i = j
			continue
		}
		j++
		for j < len(s) && strings.IndexByte("\t\n\f\r ", s[j]) >= 0 {
			j++
		}
		if j >= len(s) {
			return ""
		}
		if q := s[j]; q == '"' || q == '\'' {
			if e := strings.IndexByte(s[j+1:], q); e >= 0 {
				return s[j+1 : j+1+e]
			}
			return ""
		}
		e := j
		for e < len(s) && strings.IndexByte("\t\n\f\r ;", s[e]) < 0 {
			e++
		}
		return s[j:e]
	}
}

// scanCharsetChunks is scanChunks with the charset watch on for an element
// of ins bytes, settled at the end of the stream as the writer does.
func scanCharsetChunks(t testing.TB, doc []byte, ins int, cuts []int) int64 {
	t.Helper()
	var s scanner
	s.reset(AfterHeadOpen)
	s.watchCharset(ins)
	prev, from := 0, int64(0)
	for _, c := range append(append([]int{}, cuts...), len(doc)) {
		c = min(max(c, prev), len(doc))
		at, hold := s.feed(doc[prev:c])
		prev = c
		if hold < from || hold > int64(c) {
			t.Fatalf("hold %d after %d bytes, previous hold %d", hold, c, from)
		}
		if at >= 0 {
			if at < from {
				t.Fatalf("at %d before the hold %d", at, from)
			}
			return at
		}
		if s.declined {
			return scanDeclined
		}
		from = hold
	}
	if at := s.atEOF(); at >= 0 {
		if at < from {
			t.Fatalf("at %d at the end, before the hold %d", at, from)
		}
		return at
	}
	if s.declined {
		return scanDeclined
	}
	return -1
}

func TestScanCharsetRules(t *testing.T) {
	pad := strings.Repeat("x", 1100)
	for _, c := range []struct {
		name string
		ins  int
		doc  string
	}{
		{"meta charset opens the head", 2000, `<!doctype html><html><head><meta charset="windows-1251">‸<title>т</title></head>`},
		{"http-equiv content-type", 2000, `<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">‸<title>x</title>`},
		{"after other metas and links", 2000, `<head><meta name=viewport content="width=device-width"><link rel=icon href=x><meta charset=koi8-r>‸<meta name=a><title>x`},
		{"comments on the way", 2000, `<head><!-- c --> <!--> <meta charset=koi8-r>‸<title>x`},
		{"implicit head", 2000, `<!doctype html><meta charset=utf-8>‸<title>x</title>`},
		{"no declaration", 2000, `<head>‸<meta name=description content="charset"><title>x</title>`},
		{"content needs the pragma", 2000, `<head>‸<meta content="text/html; charset=koi8-r"><title>x`},
		{"declaration before <head> opens the head", 2000, `<meta charset=koi8-r>‸<head><title>x`},
		{"beyond the window", 2000, `<head>‸<title>` + pad + `</title><meta charset=koi8-r>`},
		{"after a script, fits", 100, `<head>‸<script>x</script><meta charset=koi8-r>`},
		{"after a title", 2000, `<head><title>x</title><meta charset=koi8-r>‸<link rel=x>`},
		{"after style, base and noscript", 2000, `<head><base href=/><style>p{}</style><noscript><p>x</noscript><meta charset=koi8-r>‸`},
		{"after a template, would not fit", 2000, `⊘<head><template></template><meta charset=koi8-r>`},
		{"after an svg, would not fit", 2000, `⊘<head><svg></svg><meta charset=koi8-r>`},
		{"after text, would not fit", 2000, `⊘<head>x<meta charset=koi8-r>`},
		{"after a script, would not fit", 2000, `⊘<head><script>var a</script><meta charset=koi8-r>`},
		{"inside title text, as the prescan reads it", 2000, `⊘<head><title><meta charset=koi8-r></title>`},
		{"--!> does not close a comment for the prescan", 2000, `<head>‸<!-- x --!><meta charset=koi8-r>`},
		{"--!> ends the run", 2000, `⊘<head><!-- x --!><!-- --><meta charset=koi8-r>`},
		{"a UTF-8 byte order mark settles it", 2000, "\xEF\xBB\xBF<head>‸<meta charset=koi8-r>"},
		{"declaration at the end of a short page", 2000, `<head><meta charset=koi8-r>‸`},
		{"cut off by the end", 2000, `<head>‸<meta charset=koi8-r`},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := int64(strings.Index(c.doc, "‸"))
			s := strings.Replace(c.doc, "‸", "", 1)
			if strings.HasPrefix(s, "⊘") {
				s, want = s[len("⊘"):], scanDeclined
			}
			doc := []byte(s)
			for k := 0; k <= len(doc); k++ {
				for _, cuts := range [][]int{{k}, scanEveryByte(k)} {
					if at := scanCharsetChunks(t, doc, c.ins, cuts); at != want {
						t.Fatalf("cut at %v: at = %d, want %d", cuts, at, want)
					}
				}
			}
		})
	}
}

// charsetElement returns an element of about n bytes, as inject writes one.
func charsetElement(n int) (open, script string) {
	open = `<script nonce="abc">`
	script = "window.chat={id:\"chatident-sentinel\"};" + strings.Repeat("/*pad*/", max(0, n/7))
	return open, script
}

// charsetPage returns a generated page whose head holds a charset
// declaration (or none) among other head content, at random places.
func charsetPage(rng *rand.Rand) []byte {
	decls := []string{
		`<meta charset="windows-1251">`, `<meta charset=koi8-r>`, `<META CHARSET='ISO-8859-5'>`,
		`<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">`,
		`<meta content="text/html;charset=koi8-r" http-equiv=content-type>`,
		`<meta charset="utf-8"/>`, `<meta charset=bogus-label>`,
	}
	items := []string{
		`<meta name=viewport content="width=device-width, initial-scale=1">`, `<link rel=stylesheet href=/a.css>`,
		`<title>Страница</title>`, `<!-- comment -->`, "\n  ", `<script src=/vendor.js></script>`,
		`<style>p{color:red}</style>`, `<meta name=description content="` + strings.Repeat("words ", 20) + `">`,
		`<noscript><meta charset=koi8-r></noscript>`, `<title><meta charset=koi8-r></title>`, `<base href=/>`,
	}
	var b strings.Builder
	if rng.IntN(2) == 0 {
		b.WriteString("<!DOCTYPE html>\n")
	}
	if rng.IntN(3) != 0 {
		b.WriteString("<html lang=ru><head>")
	}
	for range rng.IntN(8) {
		b.WriteString(items[rng.IntN(len(items))])
		if rng.IntN(4) == 0 {
			b.WriteString(strings.Repeat(" ", rng.IntN(400)))
		}
	}
	if rng.IntN(5) != 0 {
		b.WriteString(decls[rng.IntN(len(decls))])
	}
	for range rng.IntN(6) {
		b.WriteString(items[rng.IntN(len(items))])
	}
	b.WriteString("</head><body><p>Привет</p></body></html>")
	return []byte(b.String())
}

// charsetCheck serves page through Handler with a Content-Type that names
// no charset and an element of about ins bytes, and checks the result.
func charsetCheck(t *testing.T, page []byte, ins int, cuts []int) Reason {
	t.Helper()
	open, script := charsetElement(ins)
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Security-Policy", "script-src 'nonce-abc'")
		prev := 0
		for _, c := range append(append([]int{}, cuts...), len(page)) {
			c = min(max(c, prev), len(page))
			_, _ = w.Write(page[prev:c])
			prev = c
		}
	})
	var out Outcome
	tp := newTap()
	Handler(app, constScript(script), Observe(func(_ *http.Request, o Outcome) { out = o })).
		ServeHTTP(tp, httptest.NewRequest("GET", "/", nil))
	body := tp.body.Bytes()
	switch out.Reason {
	case Injected:
		el := open + script + closeTag
		i := bytes.Index(body, []byte(el))
		if i < 0 || !bytes.Equal(slicesConcat(body[:i], body[i+len(el):]), page) {
			t.Fatalf("not the page with the element inserted once: %q", body)
		}
		if in, out := specSniff(page), specSniff(body); in != out {
			t.Fatalf("the prescan finds %q in the page but %q after the insertion at %d; page %q", in, out, i, page)
		}
		// Without a declaration x/net guesses from the bytes themselves,
		// and its prescan uses the tokenizer (no <meta> in a <title>):
		// compare only where it agrees with the standard on the page.
		_, in, _ := charset.DetermineEncoding(page, "text/html")
		if _, got, _ := charset.DetermineEncoding(body, "text/html"); got != in && in == specSniff(page) {
			t.Fatalf("charset.DetermineEncoding: %q for the page, %q after the insertion; page %q", in, got, page)
		}
		if msg := scanTreeCheckOutput(body, open, script); msg != "" {
			t.Fatalf("%s; page %q", msg, page)
		}
		if msg := charsetScriptFirst(body, script); msg != "" {
			t.Fatalf("%s; page %q", msg, page)
		}
	case MetaCharset, NoMarker:
		if !bytes.Equal(body, page) {
			t.Fatalf("%s, but the body changed", out.Reason)
		}
	default:
		t.Fatalf("outcome %+v", out)
	}
	return out.Reason
}

// charsetScriptFirst returns what is wrong if the inserted script is not the
// first script element of the document: identity must exist before any
// vendor loader the page has.
func charsetScriptFirst(out []byte, script string) string {
	root, err := html.ParseWithOptions(bytes.NewReader(out), html.ParseOptionEnableScripting(true))
	if err != nil {
		return err.Error()
	}
	var first *html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if first != nil {
			return
		}
		if n.Type == html.ElementNode && n.Data == "script" {
			first = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	if first == nil || first.FirstChild == nil || first.FirstChild.Data != script {
		return "the inserted script is not the first script element"
	}
	return ""
}

// TestCharsetPrescanGenerated serves generated pages with charset
// declarations among other head content, with elements of several sizes, in
// random writes: the prescan finds the same encoding before and after, or
// the page goes out unchanged as MetaCharset.
func TestCharsetPrescanGenerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 24))
	n := 3000
	if testing.Short() {
		n = 600
	}
	count := map[Reason]int{}
	moved := 0
	for range n {
		page := charsetPage(rng)
		ins := []int{40, 300, 900, 2500}[rng.IntN(4)]
		cuts := scanRandomCuts(rng, len(page), rng.IntN(6))
		r := charsetCheck(t, page, ins, cuts)
		count[r]++
		if r == Injected && specPrescan(page) != "" && !bytes.Contains(page, []byte("<head><script")) {
			moved++
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("%d pages: %v", n, count)
	if count[Injected] < n/2 {
		t.Errorf("only %d of %d pages got the script", count[Injected], n)
	}
}

// TestCharsetCorpusPages serves every real page of the corpus with a
// Content-Type that names no charset: the prescan's answer never changes.
func TestCharsetCorpusPages(t *testing.T) {
	dir := scanCorpusPath(t, "pages")
	files, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	count := map[Reason]int{}
	var declined []string
	for _, f := range files {
		page, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, ins := range []int{40, 2500} {
			r := charsetCheck(t, page, ins, nil)
			count[r]++
			if r == MetaCharset {
				declined = append(declined, fmt.Sprintf("%s(%d)", filepath.Base(f), ins))
			}
		}
	}
	t.Logf("%d pages × 2 element sizes: %v; declined: %v", len(files), count, declined)
}

func TestDeclaresCharset(t *testing.T) {
	for ct, want := range map[string]bool{
		"text/html": false, "text/html; charset=utf-8": true, "text/html;charset=UTF-8": true,
		`text/html; charset="utf-8"`: true, "text/html; q=1; charset=utf8": true, "text/html; charset=windows-1251": false,
		"text/html; charset=": false, "text/html; xcharset=utf-8": false, "text/html; charset = utf-8 ": false, // Chromium: no charset parameter
		"text/html; charset=utf-8 ": true, "text/html; charset=utf-8; charset=utf-8": false,
	} {
		if got := declaresCharset([]string{ct}); got != want {
			t.Errorf("declaresCharset(%q) = %v, want %v", ct, got, want)
		}
	}
	if declaresCharset(nil) {
		t.Error("declaresCharset(nil) = true")
	}
}

// FuzzCharsetPrescan serves a fuzzed page (a generated one as seed) with an
// element whose size comes from the input, in fuzzed writes: the prescan
// finds the same encoding before and after, or the page is unchanged.
func FuzzCharsetPrescan(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		f.Add(charsetPage(rng), uint16(2500), []byte{7, 1})
	}
	f.Add([]byte(`<head><title>x</title><meta charset=windows-1251><script src=/w.js></script>`), uint16(2000), []byte{0})
	f.Add([]byte(`<head><script>x</script><meta http-equiv=content-type content="text/html; charset=koi8-r">`), uint16(60), []byte{3})
	f.Fuzz(func(t *testing.T, page []byte, ins uint16, sizes []byte) {
		if len(page) > 4096 {
			return
		}
		charsetCheck(t, page, int(ins%4000), scanFuzzCuts(len(page), sizes))
	})
}
