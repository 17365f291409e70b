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
