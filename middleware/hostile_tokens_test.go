package middleware

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/securecookie"

	"github.com/chatident/chatident/internal/faultnet"
)

// Hostile login tokens and session cookies, sent to a real server through
// Wrap with the real vendors. jwt_cookie_test.go and session_cookie_test.go
// check each source's Lookup on its own; here each refused credential must
// also leave the page exactly the anonymous one, with status 200 and the
// anonymous events, and the debug log must say the source refused it
// without quoting it.

// hostilePage is the application's page in these tests.
const hostilePage = "<!DOCTYPE html><html><head><title>shop</title></head><body><p>hello</p></body></html>"

// hostileSite serves hostilePage through one Middleware per source, at its
// own path: /hs (HS256 login token), /rs (RS256 login token) and /session
// (JSON session cookie, MaxAge one hour).
type hostileSite struct {
	srv    *faultnet.Server
	rec    *recorder
	log    *faultnet.LockedBuffer
	client *http.Client
}

func newHostileSite(t *testing.T, rs *JWTCookie) *hostileSite {
	t.Helper()
	s := &hostileSite{rec: &recorder{}, client: &http.Client{Transport: &http.Transport{}}}
	t.Cleanup(s.client.CloseIdleConnections)
	logger, logged := logBuffer()
	s.log = logged
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, hostilePage)
	})
	mux := http.NewServeMux()
	for path, src := range map[string]Source{
		"/hs": &JWTCookie{Secret: []byte(testKey)},
		"/rs": rs,
		"/session": &SessionCookie[appSession]{Name: "session", HashKey: []byte(testKey),
			Serializer: securecookie.JSONEncoder{}, MaxAge: 3600, Visitor: sessionVisitor},
	} {
		m := mustNew(t, Config{Vendors: faultVendors(), Sources: []Source{src},
			SignOut: SignOut{Disabled: true}, Observer: s.rec, Logger: logger})
		mux.Handle(path, m.Wrap(app))
	}
	s.srv = faultnet.Start(t, mux)
	return s
}

// get loads path with cookie (none if nil) and returns the status, the
// body, the events and the log records it caused.
func (s *hostileSite) get(t *testing.T, path string, cookie *http.Cookie) (int, string, []Event, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	logStart := len(s.log.String())
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	s.srv.Settle(t)
	return res.StatusCode, string(body), s.rec.take(), s.log.String()[logStart:]
}

// hostileCase is one credential and whether the source must accept it.
type hostileCase struct {
	name   string
	path   string
	cookie *http.Cookie
	valid  bool // a control: the visitor is signed in
}

func TestHostileCredentialsServeTheAnonymousPage(t *testing.T) {
	faultnet.NoGoroutineLeak(t)
	key := rsaKey(t)
	site := newHostileSite(t, &JWTCookie{PublicKey: &key.PublicKey})

	hs := func(c jwt.MapClaims) *http.Cookie {
		return tokenCookie(sign(t, jwt.SigningMethodHS256, []byte(testKey), c))
	}
	valid := sign(t, jwt.SigningMethodHS256, []byte(testKey), loginClaims())
	dot1 := strings.IndexByte(valid, '.')
	dot2 := strings.LastIndexByte(valid, '.')
	// The valid token's payload and signature under a header saying
	// "none": the signature is right, the algorithm is not.
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))

	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})

	codec := securecookie.New([]byte(testKey), nil).SetSerializer(securecookie.JSONEncoder{})
	session := appCookie(t, codec, "session", appSession{UserID: "session-user-1", Email: "ann@example.com"})
	otherKey := appCookie(t, securecookie.New([]byte("test-other-key-not-a-secret-012345"), nil).
		SetSerializer(securecookie.JSONEncoder{}), "session", appSession{UserID: "session-user-1"})

	cases := []hostileCase{
		{"HS256 control", "/hs", tokenCookie(valid), true},
		{"expired", "/hs", hs(with(loginClaims(), "exp", time.Now().Add(-time.Minute).Unix())), false},
		{"no exp", "/hs", hs(with(loginClaims(), "exp", nil)), false},
		{"iat in the future", "/hs", hs(with(loginClaims(), "iat", time.Now().Add(time.Hour).Unix())), false},
		{"nbf in the future", "/hs", hs(with(loginClaims(), "nbf", time.Now().Add(time.Hour).Unix())), false},
		{"alg none, unsigned", "/hs", tokenCookie(sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, loginClaims())), false},
		{"alg none, signature kept", "/hs", tokenCookie(noneHeader + valid[dot1:]), false},
		{"signature truncated", "/hs", tokenCookie(valid[:len(valid)-4]), false},
		{"signature cut off", "/hs", tokenCookie(valid[:dot2]), false},
		{"payload truncated", "/hs", tokenCookie(valid[:dot1+(dot2-dot1)/2] + valid[dot2:]), false},
		{"oversized, validly signed", "/hs", hs(with(loginClaims(), "pad", strings.Repeat("x", 9<<10))), false},
		{"no sub", "/hs", hs(with(loginClaims(), "sub", nil)), false},
		{"empty sub", "/hs", hs(with(loginClaims(), "sub", "")), false},
		{"numeric sub", "/hs", hs(with(loginClaims(), "sub", 42)), false},
		{"object sub", "/hs", hs(with(loginClaims(), "sub", map[string]string{"id": "xsolla-user-1"})), false},
		{"array sub", "/hs", hs(with(loginClaims(), "sub", []string{"xsolla-user-1"})), false},

		{"RS256 control", "/rs", tokenCookie(sign(t, jwt.SigningMethodRS256, key, loginClaims())), true},
		{"HS256 signed with the PEM public key", "/rs", tokenCookie(sign(t, jwt.SigningMethodHS256, pemKey, loginClaims())), false},
		{"HS256 signed with the DER public key", "/rs", tokenCookie(sign(t, jwt.SigningMethodHS256, der, loginClaims())), false},
		{"RS256 signed by another key", "/rs", tokenCookie(sign(t, jwt.SigningMethodRS256, rsaKey(t), loginClaims())), false},
		{"alg none to the RS256 source", "/rs", tokenCookie(sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, loginClaims())), false},

		{"session control", "/session", session, true},
		{"session re-encoded unchanged (control)", "/session", tamper(t, session, func(date, value, mac []byte) {}), true},
		{"session value byte changed", "/session", tamper(t, session, func(date, value, mac []byte) { flipBase64(value, len(value)/2) }), false},
		{"session MAC byte flipped", "/session", tamper(t, session, func(date, value, mac []byte) { mac[len(mac)/2] ^= 0x01 }), false},
		{"session timestamp changed", "/session", tamper(t, session, func(date, value, mac []byte) { flipBase64(date, len(date)-1) }), false},
		{"session truncated", "/session", &http.Cookie{Name: "session", Value: session.Value[:len(session.Value)/2]}, false},
		{"session from another hash key", "/session", otherKey, false},
		{"session expired (Python-made, 2001; MaxAge one hour)", "/session", &http.Cookie{Name: "session", Value: expiredSession}, false},
	}

	anonymous := map[string]string{}
	var anonEvents []Event
	for _, path := range []string{"/hs", "/rs", "/session"} {
		status, body, events, _ := site.get(t, path, nil)
		if status != http.StatusOK || !strings.Contains(body, "<script") {
			t.Fatalf("%s anonymous: %d %s", path, status, body)
		}
		anonymous[path] = body
		if anonEvents != nil && !reflect.DeepEqual(events, anonEvents) {
			t.Fatalf("%s anonymous events %+v, want %+v", path, events, anonEvents)
		}
		anonEvents = events
	}
	for _, e := range anonEvents {
		if e.Kind == EventInjection && e.Reason != "anonymous" {
			t.Fatalf("anonymous page events %+v", anonEvents)
		}
	}

	for _, tc := range cases {
		status, body, events, logged := site.get(t, tc.path, tc.cookie)
		if status != http.StatusOK {
			t.Errorf("%s: status %d, want 200", tc.name, status)
			continue
		}
		if tc.valid {
			if body == anonymous[tc.path] || reflect.DeepEqual(events, anonEvents) {
				t.Errorf("%s: a valid credential got the anonymous page", tc.name)
			}
			continue
		}
		if body != anonymous[tc.path] {
			t.Errorf("%s: page is not the anonymous one:\n%s", tc.name, body)
		}
		if !reflect.DeepEqual(events, anonEvents) {
			t.Errorf("%s: events %+v, want the anonymous page's %+v", tc.name, events, anonEvents)
		}
		if !strings.Contains(logged, "visitor source rejected the request") {
			t.Errorf("%s: the refusal was not logged; log: %q", tc.name, logged)
		}
		if v := tc.cookie.Value; strings.Contains(logged, v[max(0, len(v)-16):]) {
			t.Errorf("%s: the log quotes the credential: %q", tc.name, logged)
		}
	}
}

// tamper decodes a securecookie value (base64 of date|value|MAC), lets
// change alter its parts in place, and encodes it again.
func tamper(t *testing.T, c *http.Cookie, change func(date, value, mac []byte)) *http.Cookie {
	t.Helper()
	raw, err := base64.URLEncoding.DecodeString(c.Value)
	if err != nil {
		t.Fatal(err)
	}
	parts := bytes.SplitN(raw, []byte("|"), 3) // the MAC, last, may hold '|'
	if len(parts) != 3 {
		t.Fatalf("cookie has %d parts", len(parts))
	}
	change(parts[0], parts[1], parts[2])
	return &http.Cookie{Name: c.Name, Value: base64.URLEncoding.EncodeToString(bytes.Join(parts, []byte("|")))}
}

// flipBase64 replaces the base64 (or decimal) character at i with another
// one of the same alphabet, so the part stays well formed.
func flipBase64(b []byte, i int) {
	if b[i] == '1' {
		b[i] = '2'
	} else {
		b[i] = '1'
	}
}
