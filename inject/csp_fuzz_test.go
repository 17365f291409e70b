package inject

import (
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
)

// FuzzPlanCSP checks planCSP against a small reference reading of CSP Level 3
// written from the specification ("parse a serialized CSP", "does element
// match source list for type and source"), not from csp.go: directive names
// and keywords are compared with ASCII case folding only, and only the first
// directive of each name counts.
//
// enforce and report are header values, one per line. For every input:
//
//   - blocks is set exactly when the reference finds a policy whose
//     governing directive is 'none' or empty; nothing is rewritten then;
//   - the nonce is the first valid nonce of a governing directive, enforce
//     before report, and is made of base64 characters only;
//   - every rewritten policy parses to the same directives with the same
//     sources in the same order, plus only the script's 'sha256-…' source at
//     the end of the governing directive, or, when default-src governs, a
//     new script-src right after it with default-src's sources and the hash;
//     no source is removed, no 'unsafe-inline' is added, every input byte is
//     kept in order, and a policy that already allowed the element is left
//     alone;
//   - afterwards every policy allows the element (nonce and hash);
//   - planning again over the rewritten headers changes nothing.
func FuzzPlanCSP(f *testing.F) {
	const s = "window.chat={id:\"42\"};"
	for _, c := range []struct{ enforce, report string }{
		{"script-src 'self'", ""},
		{"default-src 'self' https://cdn.example", "script-src 'nonce-r4nd0m'"},
		{"script-src 'unsafe-inline' 'strict-dynamic' 'nonce-AbC='; object-src 'none'", ""},
		{"default-src 'none'; script-src 'self', img-src *", "default-src https:"},
		{"script-src-elem 'self'; script-src 'unsafe-inline'\nscript-src 'NONE'", ""},
		{"  Script-Src \t 'self' 'sha384-abc'  ;img-src *", "script-src ; report-uri /r"},
		{"script-src 'nonce-a\"b' 'unsafe-inline'", "default-src 'nonce-__-_==' 'report-sample'"},
		// Look-alikes that Unicode case folding would take for keywords:
		// U+017F LATIN SMALL LETTER LONG S and U+212A KELVIN SIGN.
		{"default-\u017frc *; default-src 'none'", ""},
		{"script-src 'un\u017fafe-inline'", "\u212aeep-src x; script-\u017frc 'self'"},
		{"", ""},
	} {
		f.Add(c.enforce, c.report, []byte(s))
	}
	f.Add("script-src 'self'", "", []byte(""))
	f.Fuzz(func(t *testing.T, enforceText, reportText string, script []byte) {
		enforce, report := headerValues(enforceText), headerValues(reportText)
		keepE, keepR := slices.Clone(enforce), slices.Clone(report)
		p := planCSP(enforce, report, script)
		if !slices.Equal(enforce, keepE) || !slices.Equal(report, keepR) {
			t.Fatal("planCSP changed its input slices")
		}
		all := append(slices.Clone(enforce), report...)

		if want := refAnyBlocks(all); p.blocks != want {
			t.Fatalf("blocks = %v, reference says %v\nenforce %q\nreport %q", p.blocks, want, enforce, report)
		}
		if p.blocks {
			if p.nonce != "" || p.enforce != nil || p.report != nil {
				t.Fatalf("a blocking plan carries changes: %+v", p)
			}
			return
		}
		if want := refFirstNonce(enforce, report); p.nonce != want {
			t.Fatalf("nonce %q, reference says %q\nenforce %q\nreport %q", p.nonce, want, enforce, report)
		}
		if p.nonce != "" && strings.Trim(p.nonce, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_=") != "" {
			t.Fatalf("nonce %q has a character that is not base64", p.nonce)
		}
		sum := sha256.Sum256(script)
		hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		for _, h := range []struct {
			name    string
			in, out []string
		}{{"Content-Security-Policy", enforce, p.enforce}, {"Content-Security-Policy-Report-Only", report, p.report}} {
			if h.out == nil {
				h.out = h.in
			} else if len(h.out) != len(h.in) || slices.Equal(h.out, h.in) {
				t.Fatalf("%s: %q rewritten as %q: want as many values and a change", h.name, h.in, h.out)
			}
			for i := range h.in {
				checkRewrite(t, h.in[i], h.out[i], p.nonce, hash)
			}
		}
		if t.Failed() {
			t.Fatalf("enforce %q\nreport %q", enforce, report)
		}

		// Idempotent: the rewritten headers need nothing more.
		outE, outR := p.enforce, p.report
		if outE == nil {
			outE = enforce
		}
		if outR == nil {
			outR = report
		}
		again := planCSP(outE, outR, script)
		if again.blocks || again.nonce != p.nonce || again.enforce != nil || again.report != nil {
			t.Fatalf("second plan over %q / %q: %+v", outE, outR, again)
		}
	})
}

// TestPlanCSPFuzzFindings keeps what FuzzPlanCSP found, with the outcome
// stated (the inputs are also seeds in testdata/fuzz/FuzzPlanCSP).
func TestPlanCSPFuzzFindings(t *testing.T) {
	// Browsers fold only ASCII letters in directive names and keywords.
	// Unicode folding took "default-\u017frc" (long s) for default-src, so
	// the real default-src 'none' was ignored and a "script-src *" copied
	// from the look-alike opened the page to every external script.
	p := planCSP([]string{"default-\u017frc *; default-src 'none'"}, nil, []byte("alert(1)"))
	if !p.blocks {
		t.Errorf("look-alike default-src: plan %+v, want blocks (the real default-src is 'none')", p)
	}
	// 'un\u017fafe-inline' is no keyword: the script still needs its hash.
	p = planCSP([]string{"script-src 'un\u017fafe-inline'"}, nil, []byte("alert(1)"))
	if want := []string{"script-src 'un\u017fafe-inline' " + alertHash}; !slices.Equal(p.enforce, want) {
		t.Errorf("look-alike 'unsafe-inline': enforce %q, want %q", p.enforce, want)
	}
	// A policy that already lists the script's hash allows it as it is; it
	// used to get the same hash again on every pass.
	p = planCSP([]string{"script-src 'self' " + alertHash}, nil, []byte("alert(1)"))
	if p.blocks || p.enforce != nil {
		t.Errorf("hash already listed: plan %+v, want no change", p)
	}
}

// checkRewrite compares one header value before and after planCSP.
func checkRewrite(t *testing.T, in, out, nonce, hash string) {
	t.Helper()
	if !isSubsequence(in, out) {
		t.Errorf("%q → %q: input bytes lost", in, out)
		return
	}
	inPols, outPols := strings.Split(in, ","), strings.Split(out, ",")
	if len(inPols) != len(outPols) {
		t.Errorf("%q → %q: %d policies became %d", in, out, len(inPols), len(outPols))
		return
	}
	for k := range inPols {
		before, after := refParse(inPols[k]), refParse(outPols[k])
		g := refGoverning(before)
		var want []refDirective
		switch {
		case g < 0 || refVerdict(before[g].sources, nonce, hash) == refAllows:
			want = before
		case before[g].name == "default-src":
			added := refDirective{"script-src", append(slices.Clone(before[g].sources), hash)}
			want = slices.Concat(before[:g+1], []refDirective{added}, before[g+1:])
		default:
			want = slices.Clone(before)
			want[g].sources = append(slices.Clone(before[g].sources), hash)
		}
		if !slices.EqualFunc(after, want, refDirective.equal) {
			t.Errorf("policy %q → %q: directives\n%q\nwant\n%q", inPols[k], outPols[k], after, want)
		}
		if n, m := countUnsafeInline(before), countUnsafeInline(after); n != m {
			t.Errorf("policy %q → %q: 'unsafe-inline' %d times, was %d", inPols[k], outPols[k], m, n)
		}
		if g := refGoverning(after); g >= 0 && refVerdict(after[g].sources, nonce, hash) != refAllows {
			t.Errorf("policy %q → %q still refuses the element", inPols[k], outPols[k])
		}
	}
}

// headerValues splits fuzz text into header values, one per line.
func headerValues(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// isSubsequence reports whether every byte of a appears in b, in order.
func isSubsequence(a, b string) bool {
	i := 0
	for j := 0; i < len(a) && j < len(b); j++ {
		if a[i] == b[j] {
			i++
		}
	}
	return i == len(a)
}

// refDirective is one directive of a policy: its name lower-cased (ASCII
// only, as the CSP parser does) and its source expressions.
type refDirective struct {
	name    string
	sources []string
}

func (d refDirective) equal(e refDirective) bool {
	return d.name == e.name && slices.Equal(d.sources, e.sources)
}

// refParse reads a serialized policy into its directives, in order,
// keeping duplicates (the parser ignores them, refGoverning does too).
func refParse(policy string) []refDirective {
	var ds []refDirective
	for _, tok := range strings.Split(policy, ";") {
		words := strings.FieldsFunc(tok, isASCIISpace)
		if len(words) == 0 {
			continue
		}
		ds = append(ds, refDirective{asciiLower(words[0]), words[1:]})
	}
	return ds
}

func isASCIISpace(r rune) bool { return strings.ContainsRune("\t\n\f\r ", r) }

// asciiLower lower-cases the ASCII letters of s and nothing else.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// refGoverning returns the index of the directive that governs inline
// <script> elements (script-src-elem, then script-src, then default-src;
// the first of each name), or -1.
func refGoverning(ds []refDirective) int {
	for _, name := range []string{"script-src-elem", "script-src", "default-src"} {
		for i, d := range ds {
			if d.name == name {
				return i
			}
		}
	}
	return -1
}

type refResult int

const (
	refAllows refResult = iota
	refRefuses
	refBlocks
)

// refVerdict judges an inline <script> with nonce (maybe "") and the hash
// source hash against a governing source list.
func refVerdict(sources []string, nonce, hash string) refResult {
	if len(sources) == 0 || len(sources) == 1 && asciiLower(sources[0]) == "'none'" {
		return refBlocks
	}
	unsafeInline, neutral := false, false
	for _, s := range sources {
		switch low := asciiLower(s); {
		case low == "'unsafe-inline'":
			unsafeInline = true
		case low == "'strict-dynamic'":
			neutral = true
		case refIsHash(s):
			neutral = true
			if hash != "" && strings.HasPrefix(low, "'sha256-") && s[8:] == hash[8:] {
				return refAllows
			}
		default:
			if v, ok := refNonce(s); ok {
				neutral = true
				if nonce != "" && v == nonce {
					return refAllows
				}
			}
		}
	}
	if unsafeInline && !neutral {
		return refAllows
	}
	return refRefuses
}

// refBase64 checks CSP's base64-value: 1*( ALPHA / DIGIT / "+" / "/" / "-" / "_" ) *2"=".
func refBase64(v string) bool {
	body := strings.TrimRight(v, "=")
	return body != "" && len(v)-len(body) <= 2 &&
		strings.Trim(body, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_") == ""
}

func refNonce(s string) (string, bool) {
	low := asciiLower(s)
	if !strings.HasPrefix(low, "'nonce-") || !strings.HasSuffix(s, "'") || len(s) < len("'nonce-'")+1 {
		return "", false
	}
	v := s[len("'nonce-") : len(s)-1]
	return v, refBase64(v)
}

func refIsHash(s string) bool {
	low := asciiLower(s)
	for _, alg := range []string{"'sha256-", "'sha384-", "'sha512-"} {
		if strings.HasPrefix(low, alg) && strings.HasSuffix(s, "'") && len(s) > len(alg)+1 {
			return refBase64(s[len(alg) : len(s)-1])
		}
	}
	return false
}

func countUnsafeInline(ds []refDirective) int {
	n := 0
	for _, d := range ds {
		for _, s := range d.sources {
			if asciiLower(s) == "'unsafe-inline'" {
				n++
			}
		}
	}
	return n
}

// refAnyBlocks reports whether some policy of values governs scripts with
// 'none' or an empty list.
func refAnyBlocks(values []string) bool {
	for _, v := range values {
		for _, pol := range strings.Split(v, ",") {
			ds := refParse(pol)
			if g := refGoverning(ds); g >= 0 && refVerdict(ds[g].sources, "", "") == refBlocks {
				return true
			}
		}
	}
	return false
}

// refFirstNonce returns the first valid nonce of a governing directive in
// enforce, else in report.
func refFirstNonce(enforce, report []string) string {
	for _, values := range [][]string{enforce, report} {
		for _, v := range values {
			for _, pol := range strings.Split(v, ",") {
				ds := refParse(pol)
				g := refGoverning(ds)
				if g < 0 {
					continue
				}
				for _, s := range ds[g].sources {
					if n, ok := refNonce(s); ok {
						return n
					}
				}
			}
		}
	}
	return ""
}
