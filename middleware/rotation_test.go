package middleware

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/securecookie"

	"github.com/chatident/chatident/vendors"
)

// Key rotation: each key that verifies what browsers hold accepts a list,
// the current key first (it alone signs), the previous ones still verified.

// rotatedKey replaces testKey in these tests.
const rotatedKey = "rotated-key-not-a-secret-0123456789abcdef" // 41 bytes

// TestSignOutKeyRotation rotates the marker key from testKey to rotatedKey
// and sends the marker Python made under testKey (pythonMarker, for
// user-42): the browser still gets its reset, the same visitor keeps the
// widget and gets the marker re-signed under the new key, and a marker set
// after the rotation is signed with the new key only.
func TestSignOutKeyRotation(t *testing.T) {
	rotated := func() *Middleware {
		return mustNew(t, Config{
			Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}, &fakeVendor{name: "zendesk"}},
			SignOut: SignOut{HashKey: []byte(rotatedKey), PreviousHashKeys: [][]byte{[]byte("another-old-key-not-a-secret-0123456"), []byte(testKey)}},
		})
	}
	onlyNew := mustNew(t, Config{Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}}, SignOut: SignOut{HashKey: []byte(rotatedKey)}})
	onlyOld := mustNew(t, Config{Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}}, SignOut: SignOut{HashKey: []byte(testKey)}})
	old := &http.Cookie{Name: DefaultSignOutCookie, Value: pythonMarker}
	expiredOld := &http.Cookie{Name: DefaultSignOutCookie, Value: pythonExpiredMarker}

	// Without the previous key the old marker is not trusted: no reset.
	// This is what rotating loses, and what PreviousHashKeys keeps.
	if p := buildPage(onlyNew, withCookies("/", old), ""); bytes.Contains(p.script, []byte("reset")) {
		t.Fatalf("old marker verified without PreviousHashKeys: %s", p.script)
	}

	// Signed out after the rotation: the old marker resets every widget once.
	m := rotated()
	p := buildPage(m, withCookies("/", old), "")
	want := wrapped("webim.reset();") + wrapped("zendesk.reset();") +
		wrapped("webim.anonymous();") + wrapped("zendesk.anonymous();")
	if string(p.script) != want {
		t.Errorf("anonymous page with the old marker:\n%s\nwant\n%s", p.script, want)
	}
	if c := markerFrom(t, p); c == nil || c.MaxAge >= 0 {
		t.Errorf("old marker after its reset: %+v, want it expired", c)
	}

	// Still signed in: no reset, and the marker is moved to the new key.
	p = buildPage(m, visitorRequest("user-42", old), "")
	if bytes.Contains(p.script, []byte("reset")) {
		t.Errorf("same visitor with the old marker got resets: %s", p.script)
	}
	resigned := markerFrom(t, p)
	if resigned == nil || resigned.MaxAge != markerMaxAge {
		t.Fatalf("same visitor with the old marker: %+v, want it re-signed", resigned)
	}
	assertMarkerKey(t, onlyNew, onlyOld, resigned, "user-42")
	// And the re-signed marker is not re-signed again.
	if p := buildPage(m, visitorRequest("user-42", resigned), ""); len(p.header["Set-Cookie"]) != 0 || bytes.Contains(p.script, []byte("reset")) {
		t.Errorf("re-signed marker: Set-Cookie %q, script %s; want nothing", p.header["Set-Cookie"], p.script)
	}

	// Someone else signs in: resets, then a new marker under the new key.
	p = buildPage(m, visitorRequest("user-43", old), "")
	if !bytes.Contains(p.script, []byte("webim.reset();")) {
		t.Errorf("another visitor with the old marker got no reset: %s", p.script)
	}
	assertMarkerKey(t, onlyNew, onlyOld, markerFrom(t, p), "user-43")

	// An expired marker stays expired under any key.
	if p := buildPage(m, withCookies("/", expiredOld), ""); bytes.Contains(p.script, []byte("reset")) {
		t.Errorf("expired old marker reset the widgets: %s", p.script)
	}
}

// assertMarkerKey checks that c verifies under the new key only and holds
// id's hash under it.
func assertMarkerKey(t *testing.T, onlyNew, onlyOld *Middleware, c *http.Cookie, id string) {
	t.Helper()
	if c == nil {
		t.Fatal("no marker")
	}
	r := withCookies("/", c)
	if mark, hash, _ := onlyNew.signOut.read(r, time.Now().Unix()); mark != markerValid || hash != onlyNew.signOut.visitorHash(id) {
		t.Errorf("marker under the new key: state %d, hash %x; want valid for %s", mark, hash, id)
	}
	if mark, _, _ := onlyOld.signOut.read(r, time.Now().Unix()); mark != markerInvalid {
		t.Errorf("marker verifies under the old key (state %d); want the new key only", mark)
	}
}

// TestSessionCookieKeyRotation rotates an application's session keys the
// way securecookie.CodecsFromPairs does: cookies encoded under the old pair
// still decode, cookies under the new pair decode, and a pair in neither
// list, or an old pair once dropped, is refused.
func TestSessionCookieKeyRotation(t *testing.T) {
	const oldBlock = "old-block-key-not-a-secret-01234" // 32 bytes
	newApp := securecookie.CodecsFromPairs([]byte(rotatedKey), []byte(testBlockKey), []byte(testKey), []byte(oldBlock))
	oldApp := securecookie.New([]byte(testKey), []byte(oldBlock))
	other := securecookie.New([]byte("unlisted-key-not-a-secret-0123456789"), []byte(oldBlock))

	src := &SessionCookie[appSession]{Name: "session", HashKey: []byte(rotatedKey), BlockKey: []byte(testBlockKey),
		PreviousKeys: []CookieKeys{{HashKey: []byte(testKey), BlockKey: []byte(oldBlock)}}, Visitor: sessionVisitor}
	if err := src.Validate(); err != nil {
		t.Fatal(err)
	}
	dropped := &SessionCookie[appSession]{Name: "session", HashKey: []byte(rotatedKey), BlockKey: []byte(testBlockKey), Visitor: sessionVisitor}

	encode := func(codecs []securecookie.Codec, id string) *http.Cookie {
		v, err := securecookie.EncodeMulti("session", appSession{UserID: id}, codecs...)
		if err != nil {
			t.Fatal(err)
		}
		return &http.Cookie{Name: "session", Value: v}
	}
	before := encode([]securecookie.Codec{oldApp}, "u-old")
	after := encode(newApp, "u-new")
	unlisted := encode([]securecookie.Codec{other}, "u-other")

	for _, tc := range []struct {
		name string
		src  *SessionCookie[appSession]
		c    *http.Cookie
		want string // "" for refused
	}{
		{"encoded before the rotation", src, before, "u-old"},
		{"encoded after the rotation", src, after, "u-new"},
		{"encoded under unlisted keys", src, unlisted, ""},
		{"old keys dropped", dropped, before, ""},
		{"new keys alone", dropped, after, "u-new"},
	} {
		v, err := tc.src.Lookup(withCookies("/", tc.c))
		switch {
		case tc.want == "" && (v != nil || !errors.Is(err, errBadSession)):
			t.Errorf("%s: Lookup = %+v, %v; want refused", tc.name, v, err)
		case tc.want != "" && (err != nil || v == nil || v.ID != tc.want):
			t.Errorf("%s: Lookup = %+v, %v; want %s", tc.name, v, err, tc.want)
		}
	}

	// The application encodes with its first pair: the new keys.
	if err := oldApp.Decode("session", after.Value, new(appSession)); err == nil {
		t.Error("test setup: the application still encodes with the old keys")
	}

	// An expired cookie under the old keys is refused as expired, not as
	// a bad MAC: the error says what happened.
	short := &SessionCookie[appSession]{Name: "session", HashKey: []byte(rotatedKey), MaxAge: 1,
		PreviousKeys: []CookieKeys{{HashKey: []byte(testKey), BlockKey: []byte(oldBlock)}}, Visitor: sessionVisitor}
	stale := encode([]securecookie.Codec{securecookie.New([]byte(testKey), []byte(oldBlock)).SetSerializer(securecookie.GobEncoder{})}, "u-old")
	time.Sleep(2100 * time.Millisecond) // securecookie counts whole seconds
	if v, err := short.Lookup(withCookies("/", stale)); v != nil || err == nil || errors.Is(err, securecookie.ErrMacInvalid) {
		t.Errorf("expired old cookie: Lookup = %+v, %v; want refused as expired", v, err)
	}
}

// pythonRotatedToken is an HS256 login token signed with rotatedKey by
// Python's hmac, valid until 2100:
//
//	python3 -c "import hmac,hashlib,base64
//	b=lambda x: base64.urlsafe_b64encode(x).rstrip(b'=')
//	h=b(b'{\"alg\":\"HS256\",\"typ\":\"JWT\"}')
//	p=b(b'{\"sub\":\"xsolla-user-2\",\"exp\":4102444800,\"iat\":1700000000}')
//	s=b(hmac.new(b'rotated-key-not-a-secret-0123456789abcdef',h+b'.'+p,hashlib.sha256).digest())
//	print((h+b'.'+p+b'.'+s).decode())"
const pythonRotatedToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4c29sbGEtdXNlci0yIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE3MDAwMDAwMDB9.wxYqxcYmje_mbPBpWv2-NIlbfw3Yp4hxsXZGSif7hfc"

// TestJWTCookieSecretRotation rotates the HS256 secret from testKey to
// rotatedKey: the token Python signed under the old secret still verifies,
// the one under the new secret verifies, a token under neither is refused,
// and so is the old one once the old secret is dropped.
func TestJWTCookieSecretRotation(t *testing.T) {
	src := &JWTCookie{Secret: []byte(rotatedKey), PreviousSecrets: [][]byte{[]byte(testKey)}}
	if err := src.Validate(); err != nil {
		t.Fatal(err)
	}
	dropped := &JWTCookie{Secret: []byte(rotatedKey)}
	for _, tc := range []struct {
		name  string
		src   *JWTCookie
		token string
		want  string
	}{
		{"old secret", src, pythonToken, "xsolla-user-1"},
		{"new secret", src, pythonRotatedToken, "xsolla-user-2"},
		{"unlisted secret", src, sign(t, jwt.SigningMethodHS256, []byte("unlisted-key-not-a-secret-0123456789"), loginClaims()), ""},
		{"old secret dropped", dropped, pythonToken, ""},
		{"new secret alone", dropped, pythonRotatedToken, "xsolla-user-2"},
		{"none", src, b64(`{"alg":"none","typ":"JWT"}`) + "." + b64(`{"sub":"x","exp":4102444800}`) + ".", ""},
	} {
		v, err := tc.src.Lookup(withCookies("/", tokenCookie(tc.token)))
		switch {
		case tc.want == "" && (v != nil || !errors.Is(err, errBadJWT)):
			t.Errorf("%s: Lookup = %+v, %v; want refused", tc.name, v, err)
		case tc.want != "" && (err != nil || v == nil || v.ID != tc.want):
			t.Errorf("%s: Lookup = %+v, %v; want %s", tc.name, v, err, tc.want)
		}
	}
}

// TestJWTCookiePublicKeyRotation rotates the RS256 key: tokens by the old
// and new private keys verify; an HS256 token using either public key as
// its secret, or an RS256 token by an unlisted key, is refused.
func TestJWTCookiePublicKeyRotation(t *testing.T) {
	oldKey, newKey := rsaKey(t), rsaKey(t)
	src := &JWTCookie{PublicKey: &newKey.PublicKey, PreviousPublicKeys: []*rsa.PublicKey{&oldKey.PublicKey}}
	if err := src.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]*rsa.PrivateKey{"old key": oldKey, "new key": newKey} {
		v, err := src.Lookup(withCookies("/", tokenCookie(sign(t, jwt.SigningMethodRS256, k, loginClaims()))))
		if err != nil || v == nil || v.ID != "xsolla-user-1" {
			t.Errorf("%s: Lookup = %+v, %v; want xsolla-user-1", name, v, err)
		}
	}
	refused := map[string]string{"unlisted key": sign(t, jwt.SigningMethodRS256, rsaKey(t), loginClaims())}
	for name, k := range map[string]*rsa.PrivateKey{"old": oldKey, "new": newKey} {
		der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		refused["HS256 with the "+name+" PEM public key"] = sign(t, jwt.SigningMethodHS256, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), loginClaims())
		refused["HS256 with the "+name+" DER public key"] = sign(t, jwt.SigningMethodHS256, der, loginClaims())
	}
	for name, token := range refused {
		if v, err := src.Lookup(withCookies("/", tokenCookie(token))); v != nil || !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
			t.Errorf("%s: Lookup = %+v, %v; want refused as a bad signature", name, v, err)
		}
	}
}
