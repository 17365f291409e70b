package inject

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// cspPlan is what a response's Content-Security-Policy headers ask of the
// inserted <script> element, worked out before the headers are sent.
//
// Only the HTTP headers are read: a policy delivered in the page itself by
// <meta http-equiv="Content-Security-Policy"> is not seen, and a page that
// uses one must allow the script itself (with a nonce the script function
// knows of, or 'unsafe-inline').
type cspPlan struct {
	// nonce is the value for the element's nonce attribute, "" for none.
	nonce string
	// blocks is set when some policy forbids every script ('none'), so the
	// element must not be inserted: a hash would loosen that policy.
	blocks bool
	// enforce and report are the rewritten values of
	// Content-Security-Policy and Content-Security-Policy-Report-Only, or
	// nil when a header needs no change.
	enforce, report []string
}

// planCSP works out the nonce and the policy changes needed so that every
// policy in enforce (the Content-Security-Policy values) and report (the
// Content-Security-Policy-Report-Only values) allows an inline <script>
// whose text is script. It never adds 'unsafe-inline' and never removes or
// loosens a source: a policy that does not already allow the element gets a
// 'sha256-…' source for exactly this script text.
//
// The directive that governs an inline <script> element is script-src-elem,
// else script-src, else default-src; a policy with none of them allows it.
// When default-src governs, a script-src directive is added after it,
// copying its sources plus the hash, so default-src itself stays as it was
// for every other kind of resource.
func planCSP(enforce, report []string, script []byte) cspPlan {
	var p cspPlan
	if len(enforce) == 0 && len(report) == 0 {
		return p
	}
	// The nonce comes first: it decides which policies still need a hash.
	p.nonce = firstNonce(enforce)
	if p.nonce == "" {
		p.nonce = firstNonce(report)
	}
	var hash string // computed once, only when some policy needs it
	var blocks bool
	p.enforce, blocks = rewriteCSPValues(enforce, p.nonce, script, &hash)
	if blocks {
		return cspPlan{blocks: true}
	}
	p.report, blocks = rewriteCSPValues(report, p.nonce, script, &hash)
	if blocks {
		return cspPlan{blocks: true}
	}
	return p
}

// firstNonce returns the first valid nonce found in the governing directive
// of any policy in values, or "".
func firstNonce(values []string) string {
	for _, v := range values {
		for pol := range policies(v) {
			d, ok := governing(pol.text)
			if !ok {
				continue
			}
			for tok := range sourceTokens(d.value) {
				if n, ok := nonceOf(tok); ok {
					return n
				}
			}
		}
	}
	return ""
}

// rewriteCSPValues returns values with a hash source added to every policy
// that would otherwise refuse the script, or nil when none needs it.
// blocks reports a policy whose governing directive is 'none' (or empty).
// *hash caches the script's hash source between calls.
func rewriteCSPValues(values []string, nonce string, script []byte, hash *string) (out []string, blocks bool) {
	for i, v := range values {
		nv, changed, blocks := rewriteCSPValue(v, nonce, script, hash)
		if blocks {
			return nil, true
		}
		if !changed {
			continue
		}
		if out == nil {
			out = make([]string, len(values))
			copy(out, values)
		}
		out[i] = nv
	}
	return out, false
}

// rewriteCSPValue handles one header value, which may hold several
// comma-separated policies. Every byte outside the insertions is kept.
func rewriteCSPValue(v, nonce string, script []byte, hash *string) (out string, changed, blocks bool) {
	var b strings.Builder
	last := 0 // bytes of v before last are already in b
	for pol := range policies(v) {
		d, ok := governing(pol.text)
		if !ok {
			continue // no directive restricts scripts in this policy
		}
		switch allowsInline(d.value, nonce, func() string { return scriptHash(script, hash) }) {
		case cspAllows:
			continue
		case cspNone:
			return "", false, true
		}
		scriptHash(script, hash)
		at := pol.start + d.end // end of the directive's last source
		if b.Len() == 0 {
			b.Grow(len(v) + len(d.value) + 64)
		}
		b.WriteString(v[last:at])
		last = at
		if d.name == "default-src" {
			b.WriteString("; script-src ")
			b.WriteString(d.value)
		}
		b.WriteByte(' ')
		b.WriteString(*hash)
		changed = true
	}
	if !changed {
		return v, false, false
	}
	b.WriteString(v[last:])
	return b.String(), true, false
}

// scriptHash returns the hash source of script, computed once into *cache.
func scriptHash(script []byte, cache *string) string {
	if *cache == "" {
		sum := sha256.Sum256(script)
		*cache = "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	return *cache
}

// cspVerdict is what one governing source list says about the script.
type cspVerdict int

const (
	cspAllows  cspVerdict = iota // the element may run as it is
	cspRefuses                   // it may run once a hash is added
	cspNone                      // nothing may run: 'none' or an empty list
)

// allowsInline judges an inline <script> carrying nonce (maybe "") against
// one governing source list, following CSP Level 3 ("does element match
// source list"): 'unsafe-inline' allows it unless the list also holds a
// nonce, a hash or 'strict-dynamic', which switch 'unsafe-inline' off. A
// 'sha256-…' source equal to the script's own hash (asked of hash only when
// the list has a hash source) allows it too, so a policy rewritten once is
// not given the same hash again.
func allowsInline(list, nonce string, hash func() string) cspVerdict {
	var unsafeInline, neutralised, matched bool
	count, none := 0, false
	for tok := range sourceTokens(list) {
		count++
		switch {
		case equalFoldASCII(tok, "'none'"):
			none = true
		case equalFoldASCII(tok, "'unsafe-inline'"):
			unsafeInline = true
		case equalFoldASCII(tok, "'strict-dynamic'"):
			neutralised = true
		case isHashSource(tok):
			neutralised = true
			if h := hash(); equalFoldASCII(tok[:8], h[:8]) && tok[8:] == h[8:] {
				matched = true
			}
		default:
			if n, ok := nonceOf(tok); ok {
				neutralised = true
				if nonce != "" && n == nonce {
					matched = true
				}
			}
		}
	}
	switch {
	case count == 0 || (count == 1 && none):
		return cspNone
	case matched, unsafeInline && !neutralised:
		return cspAllows
	}
	return cspRefuses
}

// cspPolicy is one policy of a header value: text starts at byte start.
type cspPolicy struct {
	text  string
	start int
}

// policies yields the comma-separated policies of one header value.
func policies(v string) func(func(cspPolicy) bool) {
	return func(yield func(cspPolicy) bool) {
		start := 0
		for {
			i := strings.IndexByte(v[start:], ',')
			if i < 0 {
				yield(cspPolicy{v[start:], start})
				return
			}
			if !yield(cspPolicy{v[start : start+i], start}) {
				return
			}
			start += i + 1
		}
	}
}

// cspDirective is one directive of a policy: its lower-cased name, its
// source list, and the offset in the policy just after its last byte that
// is not white space.
type cspDirective struct {
	name  string
	value string
	end   int
}

// governing finds the directive that governs inline <script> elements in
// one policy: script-src-elem, else script-src, else default-src. As in the
// CSP parser, only the first directive of each name counts.
func governing(policy string) (cspDirective, bool) {
	var found [3]cspDirective
	var have [3]bool
	start := 0
	for start <= len(policy) {
		end := strings.IndexByte(policy[start:], ';')
		if end < 0 {
			end = len(policy)
		} else {
			end += start
		}
		d := policy[start:end]
		lead := len(d) - len(strings.TrimLeft(d, cspSpace))
		d = strings.Trim(d, cspSpace)
		name, value := d, ""
		if i := strings.IndexAny(d, cspSpace); i >= 0 {
			name, value = d[:i], strings.TrimLeft(d[i:], cspSpace)
		}
		k, canon := -1, ""
		switch {
		case equalFoldASCII(name, "script-src-elem"):
			k, canon = 0, "script-src-elem"
		case equalFoldASCII(name, "script-src"):
			k, canon = 1, "script-src"
		case equalFoldASCII(name, "default-src"):
			k, canon = 2, "default-src"
		}
		if k >= 0 && !have[k] {
			have[k] = true
			found[k] = cspDirective{name: canon, value: value, end: start + lead + len(d)}
		}
		start = end + 1
	}
	for k := range found {
		if have[k] {
			return found[k], true
		}
	}
	return cspDirective{}, false
}

// cspSpace is ASCII white space as the CSP grammar defines it.
const cspSpace = "\t\n\f\r "

// sourceTokens yields the source expressions of a source list.
func sourceTokens(list string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for {
			list = strings.TrimLeft(list, cspSpace)
			if list == "" {
				return
			}
			i := strings.IndexAny(list, cspSpace)
			if i < 0 {
				yield(list)
				return
			}
			if !yield(list[:i]) {
				return
			}
			list = list[i:]
		}
	}
}

// nonceOf returns the value of a nonce-source ('nonce-<base64-value>'),
// whose "nonce-" is case-insensitive and whose value is not.
func nonceOf(tok string) (string, bool) {
	const prefix = "'nonce-"
	if len(tok) < len(prefix)+2 || !equalFoldASCII(tok[:len(prefix)], prefix) || tok[len(tok)-1] != '\'' {
		return "", false
	}
	v := tok[len(prefix) : len(tok)-1]
	return v, validBase64Value(v)
}

// isHashSource reports whether tok is a hash-source:
// '<sha256|sha384|sha512>-<base64-value>'.
func isHashSource(tok string) bool {
	if len(tok) < len("'sha256-x'") || tok[0] != '\'' || tok[len(tok)-1] != '\'' {
		return false
	}
	alg := tok[1:7]
	if !equalFoldASCII(alg, "sha256") && !equalFoldASCII(alg, "sha384") && !equalFoldASCII(alg, "sha512") {
		return false
	}
	return tok[7] == '-' && validBase64Value(tok[8:len(tok)-1])
}

// validBase64Value checks the CSP base64-value grammar:
// 1*( ALPHA / DIGIT / "+" / "/" / "-" / "_" ) *2( "=" ).
// Standard and URL-safe base64 both pass, and nothing that could end an
// HTML attribute value does.
func validBase64Value(v string) bool {
	body := strings.TrimRight(v, "=")
	if body == "" || len(v)-len(body) > 2 {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '+', c == '/', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// equalFoldASCII is strings.EqualFold with ASCII case folding only, which is
// how CSP compares directive names and keywords. Unicode folding would take
// "default-\u017frc" (LATIN SMALL LETTER LONG S) or a KELVIN SIGN for
// letters of a keyword, so a directive browsers ignore could be taken for
// the one that governs scripts, and the hash added in the wrong place.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
