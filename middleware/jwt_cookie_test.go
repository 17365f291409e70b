package middleware

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/chatident/chatident/vendors"
)

// pythonToken is an HS256 login token made by Python's hmac, not by jwt/v5,
// valid until 2100:
//
//	python3 -c "import hmac,hashlib,base64,json
//	b=lambda x: base64.urlsafe_b64encode(x).rstrip(b'=')
//	h=b(b'{\"alg\":\"HS256\",\"typ\":\"JWT\"}')
//	p=b(b'{\"sub\":\"xsolla-user-1\",\"email\":\"ann@example.com\",\"name\":\"Ann\",\"exp\":4102444800,\"iat\":1700000000}')
//	s=b(hmac.new(b'test-key-not-a-secret-0123456789abcdef',h+b'.'+p,hashlib.sha256).digest())
//	print((h+b'.'+p+b'.'+s).decode())"
const pythonToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4c29sbGEtdXNlci0xIiwiZW1haWwiOiJhbm5AZXhhbXBsZS5jb20iLCJuYW1lIjoiQW5uIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE3MDAwMDAwMDB9.DgTXWs2mWffQCFotw8dyt74mD2gtYpxtzfqef-2Bj5Q"

func tokenCookie(value string) *http.Cookie { return &http.Cookie{Name: "token", Value: value} }

// sign makes a token with jwt/v5, as a login service would.
func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// loginClaims are a valid login token's claims, issued a minute ago.
func loginClaims() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"sub":   "xsolla-user-1",
		"email": "ann@example.com",
		"iat":   now.Add(-time.Minute).Unix(),
		"exp":   now.Add(time.Hour).Unix(),
	}
}

func with(c jwt.MapClaims, kv ...any) jwt.MapClaims {
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
		} else {
			c[kv[i].(string)] = kv[i+1]
		}
	}
	return c
}

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestJWTCookieHS256(t *testing.T) {
	src := &JWTCookie{Secret: []byte(testKey)}
	if err := src.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		token string
		want  vendors.Visitor
	}{
		"made by python": {pythonToken, vendors.Visitor{ID: "xsolla-user-1", Email: "ann@example.com", Name: "Ann"}},
		"made by jwt/v5": {sign(t, jwt.SigningMethodHS256, []byte(testKey), loginClaims()),
			vendors.Visitor{ID: "xsolla-user-1", Email: "ann@example.com"}},
		"non-string email ignored": {sign(t, jwt.SigningMethodHS256, []byte(testKey), with(loginClaims(), "email", 7)),
			vendors.Visitor{ID: "xsolla-user-1"}},
		"no iat": {sign(t, jwt.SigningMethodHS256, []byte(testKey), with(loginClaims(), "iat", nil)),
			vendors.Visitor{ID: "xsolla-user-1", Email: "ann@example.com"}},
	} {
		v, err := src.Lookup(withCookies("/", tokenCookie(tc.token)))
		if err != nil || v == nil || !reflect.DeepEqual(*v, tc.want) {
			t.Errorf("%s: Lookup = %+v, %v; want %+v", name, v, err, tc.want)
		}
	}
}

func TestJWTCookieRefused(t *testing.T) {
	src := &JWTCookie{Secret: []byte(testKey)}
	hs := func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodHS256, []byte(testKey), c) }
	rsa := rsaKey(t)
	valid := hs(loginClaims())
	none := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, loginClaims())
	big := strings.Repeat("x", maxJWTBytes)

	tests := []struct {
		name  string
		token string
		why   error
	}{
		{"expired", hs(with(loginClaims(), "exp", time.Now().Add(-time.Minute).Unix())), jwt.ErrTokenExpired},
		{"no exp", hs(with(loginClaims(), "exp", nil)), jwt.ErrTokenRequiredClaimMissing},
		{"iat in the future", hs(with(loginClaims(), "iat", time.Now().Add(time.Hour).Unix())), jwt.ErrTokenUsedBeforeIssued},
		{"nbf in the future", hs(with(loginClaims(), "nbf", time.Now().Add(time.Hour).Unix())), jwt.ErrTokenNotValidYet},
		{"no sub", hs(with(loginClaims(), "sub", nil)), jwt.ErrTokenRequiredClaimMissing},
		{"empty sub", hs(with(loginClaims(), "sub", "")), jwt.ErrTokenRequiredClaimMissing},
		{"numeric sub", hs(with(loginClaims(), "sub", 42)), jwt.ErrTokenRequiredClaimMissing},
		{"alg none", none, jwt.ErrTokenSignatureInvalid},
		{"HS512", sign(t, jwt.SigningMethodHS512, []byte(testKey), loginClaims()), jwt.ErrTokenSignatureInvalid},
		{"RS256 when HS256 is pinned", sign(t, jwt.SigningMethodRS256, rsa, loginClaims()), jwt.ErrTokenSignatureInvalid},
		{"wrong secret", sign(t, jwt.SigningMethodHS256, []byte("test-other-key-not-a-secret-012345"), loginClaims()), jwt.ErrTokenSignatureInvalid},
		{"tampered payload", strings.Replace(valid, valid[40:44], "AAAA", 1), nil},
		{"truncated", valid[:len(valid)-10], nil},
		{"truncated at a base64 boundary", valid[:len(valid)-11], jwt.ErrTokenSignatureInvalid},
		{"signature cut off", valid[:strings.LastIndexByte(valid, '.')], jwt.ErrTokenMalformed},
		{"garbage", "not.a.token", jwt.ErrTokenMalformed},
		{"oversized", hs(with(loginClaims(), "pad", big)), jwt.ErrTokenMalformed},
	}
	for _, tt := range tests {
		v, err := src.Lookup(withCookies("/", tokenCookie(tt.token)))
		if v != nil || !errors.Is(err, errBadJWT) {
			t.Errorf("%s: Lookup = %+v, %v; want nil and a refusal", tt.name, v, err)
			continue
		}
		if tt.why != nil && !errors.Is(err, tt.why) {
			t.Errorf("%s: error %v does not say %v", tt.name, err, tt.why)
		}
	}
}

func TestJWTCookieErrorsDoNotQuoteTheToken(t *testing.T) {
	// The header's alg is the sender's text; jwt's own message quotes it.
	header := `{"alg":"evil-alg-7f3a","typ":"JWT"}`
	token := b64(header) + "." + b64(`{"sub":"x","exp":4102444800}`) + ".c2ln"
	_, err := (&JWTCookie{Secret: []byte(testKey)}).Lookup(withCookies("/", tokenCookie(token)))
	if err == nil || strings.Contains(err.Error(), "7f3a") {
		t.Errorf("error = %v; want a refusal that does not quote the token", err)
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestJWTCookieRS256(t *testing.T) {
	key := rsaKey(t)
	src := &JWTCookie{PublicKey: &key.PublicKey}
	if err := src.Validate(); err != nil {
		t.Fatal(err)
	}
	v, err := src.Lookup(withCookies("/", tokenCookie(sign(t, jwt.SigningMethodRS256, key, loginClaims()))))
	if err != nil || v == nil || v.ID != "xsolla-user-1" {
		t.Fatalf("RS256 token: Lookup = %+v, %v", v, err)
	}

	// The classic confusion: an HS256 token whose secret is the public key,
	// which an attacker can know.
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	for name, token := range map[string]string{
		"HS256 with the PEM public key": sign(t, jwt.SigningMethodHS256, pemKey, loginClaims()),
		"HS256 with the DER public key": sign(t, jwt.SigningMethodHS256, der, loginClaims()),
		"RS256 by another key":          sign(t, jwt.SigningMethodRS256, rsaKey(t), loginClaims()),
		"PS256 by the right key":        sign(t, jwt.SigningMethodPS256, key, loginClaims()),
	} {
		if v, err := src.Lookup(withCookies("/", tokenCookie(token))); v != nil || !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
			t.Errorf("%s: Lookup = %+v, %v; want refused as a bad signature", name, v, err)
		}
	}
}

func TestJWTCookieOptions(t *testing.T) {
	hs := func(c jwt.MapClaims) *http.Request {
		return withCookies("/", &http.Cookie{Name: "login", Value: sign(t, jwt.SigningMethodHS256, []byte(testKey), c)})
	}
	src := &JWTCookie{
		Name: "login", Secret: []byte(testKey),
		Issuer: "https://login.xsolla.com", Audience: "shop",
		Leeway: 30 * time.Second,
		Visitor: func(c jwt.MapClaims, v vendors.Visitor) (vendors.Visitor, bool) {
			if c["banned"] == true {
				return v, false
			}
			if v.Name == "" {
				v.Name = v.Email
			}
			v.Attributes = map[string]string{"issuer": c["iss"].(string)}
			return v, true
		},
	}
	if err := src.Validate(); err != nil {
		t.Fatal(err)
	}
	good := with(loginClaims(), "iss", "https://login.xsolla.com", "aud", []string{"shop", "blog"})
	v, err := src.Lookup(hs(good))
	want := vendors.Visitor{ID: "xsolla-user-1", Email: "ann@example.com", Name: "ann@example.com",
		Attributes: map[string]string{"issuer": "https://login.xsolla.com"}}
	if err != nil || v == nil || !reflect.DeepEqual(*v, want) {
		t.Errorf("Lookup = %+v, %v; want %+v", v, err, want)
	}
	// Within the leeway, an iat slightly ahead of this clock is accepted.
	if v, err := src.Lookup(hs(with(loginClaims(), "iss", "https://login.xsolla.com", "aud", "shop",
		"iat", time.Now().Add(10*time.Second).Unix()))); v == nil {
		t.Errorf("iat 10s ahead with 30s leeway: Lookup = %v, %v; want accepted", v, err)
	}
	if v, err := src.Lookup(hs(with(loginClaims(), "iss", "https://login.xsolla.com", "aud", "shop", "banned", true))); v != nil || err != nil {
		t.Errorf("hook said no: Lookup = %+v, %v; want nil, nil", v, err)
	}
	for name, c := range map[string]jwt.MapClaims{
		"wrong issuer":   with(loginClaims(), "iss", "https://evil.example", "aud", "shop"),
		"no issuer":      with(loginClaims(), "aud", "shop"),
		"wrong audience": with(loginClaims(), "iss", "https://login.xsolla.com", "aud", "blog"),
	} {
		if v, err := src.Lookup(hs(c)); v != nil || err == nil {
			t.Errorf("%s: Lookup = %+v, %v; want refused", name, v, err)
		}
	}
	if v, err := src.Lookup(withCookies("/", tokenCookie(pythonToken))); v != nil || err != nil {
		t.Errorf("token in the default cookie when Name is login: Lookup = %+v, %v; want nil, nil", v, err)
	}
}

func TestJWTCookieMissing(t *testing.T) {
	src := &JWTCookie{Secret: []byte(testKey)}
	if v, err := src.Lookup(withCookies("/", &http.Cookie{Name: "session", Value: pythonToken})); v != nil || err != nil {
		t.Errorf("Lookup = %+v, %v; want nil, nil", v, err)
	}
}

func TestJWTCookieValidate(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	key := rsaKey(t)
	tests := map[string]struct {
		src  *JWTCookie
		want string
	}{
		"both keys":       {&JWTCookie{Secret: []byte(testKey), PublicKey: &key.PublicKey}, "JWTCookie: set only one of Secret (HS256) and PublicKey (RS256)"},
		"small RSA key":   {&JWTCookie{PublicKey: &small.PublicKey}, "JWTCookie.PublicKey is shorter than 2048 bits"},
		"empty RSA key":   {&JWTCookie{PublicKey: &rsa.PublicKey{}}, "JWTCookie.PublicKey is shorter than 2048 bits"},
		"even exponent":   {&JWTCookie{PublicKey: &rsa.PublicKey{N: key.N, E: 4}}, "JWTCookie.PublicKey has an invalid exponent"},
		"leeway too long": {&JWTCookie{Secret: []byte(testKey), Leeway: time.Hour}, "JWTCookie.Leeway 1h0m0s is outside 0 to 5m0s"},
	}
	for name, tt := range tests {
		if err := tt.src.Validate(); err == nil || err.Error() != tt.want {
			t.Errorf("%s: Validate = %v, want %q", name, err, tt.want)
		}
	}
}
