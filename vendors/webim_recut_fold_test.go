package vendors

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// collationSkeleton is what a case- and accent-insensitive collation (the
// kind a database commonly compares text with: MySQL's *_general_ci and
// *_unicode_ci, ICU at primary strength) keeps of s: the compatibility
// decomposition, without combining marks, in lower case. "U", "ü" and the
// fullwidth "ｕ" all read as "u" there, "［" as "[".
func collationSkeleton(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// collationEnds returns an ends function that accepts s[pos:end] when its
// collation skeleton has the form valid accepts: how a store that compares
// ids or logins insensitively would read them.
func collationEnds(valid func(string) bool, maxRunes int) func(string, int) []int {
	return func(s string, pos int) []int {
		var ends []int
		n := 0
		for i := range s[pos:] {
			if i == 0 {
				continue
			}
			n++
			if n > maxRunes {
				return ends
			}
			if valid(collationSkeleton(s[pos : pos+i])) {
				ends = append(ends, pos+i)
			}
		}
		if n+1 <= maxRunes && valid(collationSkeleton(s[pos:])) {
			ends = append(ends, len(s))
		}
		return ends
	}
}

// fullwidth returns s with its ASCII letters and digits in their fullwidth
// forms (U+FF10-FF19, U+FF21-FF3A, U+FF41-FF5A) and brackets as U+FF3B/FF3D.
func fullwidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7f {
			return r - 0x21 + 0xff01
		}
		return r
	}, s)
}

// TestWebimRecutCollationVariants: Webim may compare visitor ids and logins
// as a database does, case- and accent-insensitively. A visitor whose
// display name or phone holds another visitor's opaque id or login in upper
// case, with accents or in fullwidth forms must not get an object that
// re-cuts into one whose id or login reads as the other visitor's there.
func TestWebimRecutCollationVariants(t *testing.T) {
	w := &Webim{PrivateKey: testKey, IDKey: testIDKey}
	victim := webimOpaqueID(&w.macs, testIDKey, "12345")
	hex := victim[1:]
	variants := map[string]string{
		"upper prefix":        "U" + hex,
		"upper hex":           "u" + strings.ToUpper(hex),
		"all upper":           strings.ToUpper(victim),
		"fullwidth":           fullwidth(victim),
		"fullwidth prefix":    "ｕ" + hex,
		"accented prefix":     "ü" + hex,
		"combining accent":    "u\u0301" + hex,
		"accented hex digits": "u" + strings.NewReplacer("a", "á", "e", "é").Replace(hex),
	}
	loginVariants := map[string]string{
		"fullwidth brackets":   fullwidth("[[") + "12345" + fullwidth("]]"),
		"upper login":          "[[BOB]]",
		"fullwidth login text": "[[" + fullwidth("bob") + "]]",
	}
	r := testRequest()
	expires := r.Now.Add(time.Hour).Unix()
	check := func(name string, v Visitor) {
		t.Helper()
		obj, _, err := visitorObjectForTest(w, r, v)
		if errors.Is(err, ErrWebimAmbiguous) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		fields := obj[0].Value.(Object)
		g := webimGoal(asFields(fields), expires)
		ownID, ownLogin := g.id, collationSkeleton(g.login)
		g.idEnds = collationEnds(func(s string) bool { return isWebimOpaqueID(s) && s != ownID }, webimIDLen+2)
		g.loginEnds = collationEnds(func(s string) bool {
			return s != ownLogin && webimLoginEnds(s, 0) != nil && webimLoginEnds(s, 0)[0] == len(s)
		}, 200)
		s := webimSignedString(asFields(fields), expires)
		if got, ok := findWebimRecut(s, g); ok && got.why != "expires" {
			t.Errorf("%s: %q re-cuts to %v", name, s, got)
		}
	}
	for name, val := range variants {
		check(name+" in the name", Visitor{ID: "666", Name: val})
		check(name+" in the e-mail", Visitor{ID: "666", Email: val + "@x.de"})
		check(name+" in the phone", Visitor{ID: "666", Login: "bob", Phone: val})
	}
	for name, val := range loginVariants {
		check(name+" in the phone", Visitor{ID: "666", Login: "bob", Phone: val})
		check(name+" in the name, no login", Visitor{ID: "12345", Name: val, Login: "12345"})
	}
	// A login holding bracket look-alikes still gets a login of the form.
	for _, login := range []string{"a［b", "］x", "bob"} {
		obj, _, err := visitorObjectForTest(w, r, Visitor{ID: "7", Login: login})
		if err != nil {
			t.Errorf("login %q: %v, want it signed", login, err)
			continue
		}
		l := collationSkeleton(fieldValue(asFields(obj[0].Value.(Object)), "login"))
		if e := webimLoginEnds(l, 0); e == nil || e[0] != len(l) {
			t.Errorf("login %q is sent as %q, not of the login form", login, l)
		}
	}
}
