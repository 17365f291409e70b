package middleware

import (
	"testing"

	"github.com/chatident/chatident/vendors"
)

// TestNewRefusesOpsSettings checks the settings for proxies, key rotation
// and token lifetime, each refused with a message naming the field.
func TestNewRefusesOpsSettings(t *testing.T) {
	ok := func() []vendors.Vendor { return []vendors.Vendor{&fakeVendor{name: "webim"}} }
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"unknown secure mode", Config{Vendors: ok(), SignOut: SignOut{HashKey: []byte(testKey), Secure: 3}},
			"chatident: Config.SignOut.Secure 3 is not a SecureMode constant"},
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
