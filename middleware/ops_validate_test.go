package middleware

import (
	"crypto/rsa"
	"math/big"
	"testing"

	"github.com/chatident/chatident/vendors"
)

// TestNewRefusesOpsSettings checks the settings for proxies, key rotation
// and token lifetime, each refused with a message naming the field.
func TestNewRefusesOpsSettings(t *testing.T) {
	ok := func() []vendors.Vendor { return []vendors.Vendor{&fakeVendor{name: "webim"}} }
	rk := rsaKey(t)
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"unknown secure mode", Config{Vendors: ok(), SignOut: SignOut{HashKey: []byte(testKey), Secure: 3}},
			"chatident: Config.SignOut.Secure 3 is not a SecureMode constant"},
		{"mount path without a leading slash", Config{Vendors: ok(), MountPath: "app"},
			`chatident: Config.MountPath "app" must start with "/" and not end with one`},
		{"mount path with a trailing slash", Config{Vendors: ok(), MountPath: "/app/"},
			`chatident: Config.MountPath "/app/" must start with "/" and not end with one`},
		{"mount path of the root", Config{Vendors: ok(), MountPath: "/"},
			`chatident: Config.MountPath "/" must start with "/" and not end with one`},
		{"mount path with dot-dot", Config{Vendors: ok(), MountPath: "/a/../b"},
			`chatident: Config.MountPath "/a/../b" has a "." or ".." segment`},
		{"mount path with double slash", Config{Vendors: ok(), MountPath: "/a//b"},
			`chatident: Config.MountPath "/a//b" has an empty segment ("//" or a leading or trailing "/")`},
		{"mount path with a quote", Config{Vendors: ok(), MountPath: "/a\"b"},
			`chatident: Config.MountPath "/a\"b" has '"', which is not a URL path character`},
		{"previous marker keys without a current key", Config{Vendors: ok(), SignOut: SignOut{PreviousHashKeys: [][]byte{[]byte(testKey)}}},
			"chatident: Config.SignOut.PreviousHashKeys is set without HashKey, the key that replaces them"},
		{"short previous marker key", Config{Vendors: ok(), SignOut: SignOut{HashKey: []byte(testKey), PreviousHashKeys: [][]byte{[]byte(rotatedKey), []byte("short")}}},
			"chatident: Config.SignOut.PreviousHashKeys[1] is 5 bytes, want at least 32"},
		{"short previous session keys", Config{Vendors: ok(), Sources: []Source{&SessionCookie[string]{
			Name: "session", HashKey: []byte(testKey), PreviousKeys: []CookieKeys{{HashKey: []byte("short"), BlockKey: []byte("seven b")}},
			Visitor: func(string) (vendors.Visitor, bool) { return vendors.Visitor{}, false }}}},
			"chatident: Config.Sources[0] (*middleware.SessionCookie[string]): SessionCookie.PreviousKeys[0].HashKey is 5 bytes, want at least 32\n" +
				"chatident: Config.Sources[0] (*middleware.SessionCookie[string]): SessionCookie.PreviousKeys[0].BlockKey is 7 bytes, want 16, 24 or 32 (or none)"},
		{"previous secrets with a public key", Config{Vendors: ok(), Sources: []Source{&JWTCookie{PublicKey: &rk.PublicKey, PreviousSecrets: [][]byte{[]byte(testKey)}}}},
			"chatident: Config.Sources[0] (*middleware.JWTCookie): JWTCookie.PreviousSecrets is set without Secret: the algorithm cannot change in a rotation"},
		{"previous public keys with a secret", Config{Vendors: ok(), Sources: []Source{&JWTCookie{Secret: []byte(testKey), PreviousPublicKeys: []*rsa.PublicKey{&rk.PublicKey}}}},
			"chatident: Config.Sources[0] (*middleware.JWTCookie): JWTCookie.PreviousPublicKeys is set without PublicKey: the algorithm cannot change in a rotation"},
		{"bad previous secrets and keys", Config{Vendors: ok(), Sources: []Source{&JWTCookie{PublicKey: &rk.PublicKey,
			PreviousPublicKeys: []*rsa.PublicKey{nil, {N: big.NewInt(12345), E: 65537}, {N: rk.N, E: 4}}}}},
			"chatident: Config.Sources[0] (*middleware.JWTCookie): JWTCookie.PreviousPublicKeys[0] is nil\n" +
				"chatident: Config.Sources[0] (*middleware.JWTCookie): JWTCookie.PreviousPublicKeys[1] is shorter than 2048 bits\n" +
				"chatident: Config.Sources[0] (*middleware.JWTCookie): JWTCookie.PreviousPublicKeys[2] has an invalid exponent"},
		{"short previous secret", Config{Vendors: ok(), Sources: []Source{&JWTCookie{Secret: []byte(testKey), PreviousSecrets: [][]byte{[]byte("short")}}}},
			"chatident: Config.Sources[0] (*middleware.JWTCookie): JWTCookie.PreviousSecrets[0] is 5 bytes, want at least 32 for HS256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(tt.cfg)
			if err == nil {
				t.Fatalf("New succeeded (%v), want error %q", m != nil, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("New error:\n%s\nwant:\n%s", err, tt.want)
			}
		})
	}
}
