package inject

import "strings"

// Reading a Content-Security-Policy header value as the CSP specification
// parses one: comma-separated policies, semicolon-separated directives, and
// source lists of white-space-separated tokens.

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
