package vendors

import (
	"bytes"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// ErrWebimAmbiguous is returned by Webim.VisitorJSON and
// Webim.ProvidedVisitorURL, and makes Identify serve the anonymous script,
// when a visitor's values would let the signed object be re-cut into
// another visitor's (a value holding another opaque id, or "[[" and "]]"
// around text other than the login; see the Webim security notes).
var ErrWebimAmbiguous = errors.New("webim: the visitor's values would make the signed object ambiguous; not signed")

// webimIDPrefix starts every opaque Webim id. It is not a hex digit, so no
// window of a signed string that overlaps the id can read as another id of
// the same form: the prefix would have to fall on a hex digit.
const webimIDPrefix = "u"

// webimIDLen is the length of an opaque Webim id: the prefix and 64 hex
// digits.
const webimIDLen = len(webimIDPrefix) + 64

// webimOpaqueID returns the opaque Webim id of the site's user id: the
// prefix, then HMAC-SHA256(key, id) in lowercase hex.
func webimOpaqueID(c *hmacStates, key []byte, id string) string {
	if m := c.mac(key); m != nil {
		return m.HexPrefixed(webimIDPrefix, id) // remembered whole: no concatenation per page
	}
	return webimIDPrefix + opaqueID(c, key, id)
}

// isWebimOpaqueID reports whether s has the form of an opaque Webim id: the
// ids chatident gives visitors, and so the ids a re-cut must never produce
// other than the visitor's own.
func isWebimOpaqueID(s string) bool {
	return len(s) == webimIDLen && strings.HasPrefix(s, webimIDPrefix) && isLowerHex(s[len(webimIDPrefix):])
}

// webimWrapLogin returns the login as sent: login between "[[" and "]]",
// with any '[' or ']' in it, and any character that reads as one in a
// collation skeleton (the fullwidth U+FF3B, U+FF3D), turned into '(' or ')',
// so that its ends are the only brackets it has, however it is compared. The
// login form is "[[", at least one character that is neither '[' nor ']',
// then "]]" (in the skeleton, see webimSkeleton).
func webimWrapLogin(login string) string {
	if !strings.ContainsAny(login, "[]") && isASCII(login) {
		return "[[" + login + "]]"
	}
	return "[[" + strings.Map(func(r rune) rune {
		switch r {
		case '[':
			return '('
		case ']':
			return ')'
		}
		if r >= utf8.RuneSelf {
			switch k := webimSkeleton(string(r)); {
			case strings.Contains(k, "["):
				return '('
			case strings.Contains(k, "]"):
				return ')'
			}
		}
		return r
	}, login) + "]]"
}

// webimSkeleton returns what a case- and accent-insensitive comparison
// keeps of s: its compatibility decomposition (NFKD) without combining
// marks, in lower case. Webim does not document how it compares visitor
// ids and logins; a store that compares text as databases commonly do
// (MySQL's *_ci collations, ICU at primary strength) takes "U", "ü", "ú" and
// the fullwidth "ｕ" for "u", "Ａ" for "a" and "［" for "[". The re-cut check
// runs on the skeleton, so that a value spelling another visitor's id or
// login in such a variant is found as surely as an exact copy. The usual
// value, ASCII without upper case, is its own skeleton and costs nothing.
func webimSkeleton(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// webimSkeletonBytes is webimSkeleton for bytes: the common plain string
// (ASCII without upper case) is returned as it is, with no copy.
func webimSkeletonBytes(b []byte) []byte {
	for _, c := range b {
		if c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return []byte(webimSkeleton(string(b)))
		}
	}
	return b
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// webimGuardEnd returns the profile_url to send, given the fields that sort
// before it and the visitor's profile URL: the signed string must not end in
// a digit before expires, or its holder could move that digit into expires
// and sign a later one. A profile URL ending in a digit gets an empty
// fragment ("#", the same page); without a profile URL, when the last value
// sent ends in a digit (a phone number, say), profile_url is "about:blank",
// a link to nothing.
func webimGuardEnd(before []webimValue, profileURL string) string {
	if profileURL != "" {
		if isDigit(profileURL[len(profileURL)-1]) {
			return profileURL + "#"
		}
		return profileURL
	}
	for i := len(before) - 1; i >= 0; i-- {
		if v := before[i].value; v != "" {
			if isDigit(v[len(v)-1]) {
				return "about:blank"
			}
			return ""
		}
	}
	return ""
}

// webimUnambiguous reports whether the signed string of fields, followed by
// any expires, reads as no other visitor's object, however it is re-cut into Webim's
// documented fields. Because every documented field takes any string, a
// re-cut can make any substring the id or the login, and any decimal suffix
// expires; so it suffices that, counted on the string's skeleton (see
// webimSkeleton), where a variant in case, accents or width counts as a
// copy,
//
//   - the string holds exactly one substring of the opaque id form (the
//     id's own: the form is fixed-length and starts with a non-hex prefix,
//     so no window overlapping the id has the form);
//   - it holds exactly as many substrings of the login form as there is
//     login (one, the login's own: its content has no '[' or ']');
//   - the character before expires is not a digit, so a decimal suffix is
//     at most expires itself.
//
// The tests' exhaustive re-cut search (findWebimRecut) checks this on
// hostile values and in a fuzz target. It is called for opaque ids only:
// with RawID any substring may be someone's id.
//
// scratch is spare memory for the signed string.
func webimUnambiguous(scratch []byte, fields []webimField) bool {
	b := scratch[:0]
	for _, f := range fields {
		b = append(b, f.value...)
	}
	s := b // the signed string without expires
	if len(s) == 0 || isDigit(s[len(s)-1]) {
		return false
	}
	s = webimSkeletonBytes(s)
	ids := 0
	for i := bytes.IndexByte(s, webimIDPrefix[0]); i >= 0; {
		if i+webimIDLen <= len(s) && isLowerHex(s[i+len(webimIDPrefix):i+webimIDLen]) {
			ids++
		}
		j := bytes.IndexByte(s[i+1:], webimIDPrefix[0])
		if j < 0 {
			break
		}
		i += j + 1
	}
	logins := 0
	for i := bytes.Index(s, []byte("[[")); i >= 0; {
		if j := bytes.IndexAny(s[i+2:], "[]"); j > 0 && bytes.HasPrefix(s[i+2+j:], []byte("]]")) {
			logins++
		}
		k := bytes.Index(s[i+1:], []byte("[["))
		if k < 0 {
			break
		}
		i += k + 1
	}
	wantLogins := 0
	for _, f := range fields {
		if f.key == "login" {
			wantLogins = 1
		}
	}
	return ids == 1 && logins == wantLogins
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isLowerHex[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// normalize returns s with every character the charset cannot hold replaced
// by '?', and whether any was. Webim receives and signs the replaced value,
// so the hash matches, and the visitor keeps their widget and identity with
// a '?' where, say, an emoji was in their name. UTF-8 holds everything.
func (c WebimCharset) normalize(s string) (string, bool) {
	var m *charmap.Charmap
	switch c {
	case WebimCP1251:
		m = charmap.Windows1251
	case WebimKOI8R:
		m = charmap.KOI8R
	default:
		return s, false
	}
	lost := false
	for _, r := range s {
		if _, ok := m.EncodeRune(r); !ok {
			lost = true
			break
		}
	}
	if !lost {
		return s, false
	}
	return strings.Map(func(r rune) rune {
		if _, ok := m.EncodeRune(r); !ok {
			return '?'
		}
		return r
	}, s), true
}
