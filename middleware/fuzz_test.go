package middleware

import (
	"net/http"
	"testing"

	"github.com/gorilla/securecookie"
)

// The sources read what any client sends; whatever it is, they must answer
// "no visitor" or a visitor, never panic, and never find a visitor in a
// value they did not sign.

func FuzzJWTCookie(f *testing.F) {
	f.Add(pythonToken)
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add("a.b.c")
	f.Add("")
	src := &JWTCookie{Secret: []byte(testKey)}
	f.Fuzz(func(t *testing.T, value string) {
		v, err := src.Lookup(withCookies("/", &http.Cookie{Name: "token", Value: sanitizeCookie(value)}))
		if v != nil && (err != nil || v.ID == "") {
			t.Fatalf("Lookup = %+v, %v", v, err)
		}
		if v != nil && sanitizeCookie(value) != pythonToken {
			t.Fatalf("a visitor from an unsigned value: %+v", v)
		}
	})
}

func FuzzSessionCookie(f *testing.F) {
	good, err := securecookie.New([]byte(testKey), nil).Encode("session", appSession{UserID: "u-1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(expiredSession)
	f.Add("MTAwfGFiY3x4eXo=")
	src := &SessionCookie[appSession]{Name: "session", HashKey: []byte(testKey), Visitor: sessionVisitor}
	f.Fuzz(func(t *testing.T, value string) {
		v, err := src.Lookup(withCookies("/", &http.Cookie{Name: "session", Value: sanitizeCookie(value)}))
		if v != nil && (err != nil || v.ID == "") {
			t.Fatalf("Lookup = %+v, %v", v, err)
		}
		// Not a comparison with good: securecookie's base64 accepts more
		// than one spelling of a value, and good is signed anew on every
		// run while the corpus keeps earlier runs' cookies. Only the
		// session we signed, for u-1, may give a visitor.
		if v != nil && v.ID != "u-1" {
			t.Fatalf("a visitor from a value we did not sign: %+v", v)
		}
	})
}

// sanitizeCookie keeps the bytes net/http sends in a cookie value, so the
// fuzzer's value reaches the source rather than being dropped by AddCookie.
func sanitizeCookie(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; 0x20 < c && c < 0x7f && c != '"' && c != ';' && c != '\\' && c != ',' {
			b = append(b, c)
		}
	}
	return string(b)
}
