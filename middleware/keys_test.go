package middleware

import (
	"strings"
	"testing"

	"github.com/chatident/chatident/vendors"
)

// TestNewRefusesSharedKeys checks that New refuses one key in two places,
// across vendors, within a vendor, and between a vendor and the middleware's
// own keys, naming both fields and never the key.
func TestNewRefusesSharedKeys(t *testing.T) {
	key := func(s string) []byte { return []byte(s + "-key-not-a-secret-0123456789abcdef") } // ≥ 32 bytes
	shared := key("shared")
	cfg := func() Config {
		return Config{
			Vendors: []vendors.Vendor{
				&vendors.Webim{PrivateKey: key("webim-private"), IDKey: key("webim-id")},
				&vendors.Edna{IDKey: key("edna-id")},
				&vendors.HelpCrunch{Organization: "shop", AppID: "3", Secret: key("helpcrunch")},
				&vendors.Zendesk{Flavor: vendors.ZendeskChatSDK, AccountKey: "k", Secret: key("zendesk")},
			},
			Sources: []Source{
				&JWTCookie{Secret: key("login")},
				&SessionCookie[map[string]string]{Name: "s", HashKey: key("session"),
					PreviousKeys: []CookieKeys{{HashKey: key("session-old")}},
					Visitor:      func(map[string]string) (vendors.Visitor, bool) { return vendors.Visitor{}, false }},
			},
			SignOut: SignOut{HashKey: key("signout"), PreviousHashKeys: [][]byte{key("signout-old")}},
		}
	}
	if _, err := New(cfg()); err != nil {
		t.Fatalf("distinct keys: New: %v", err)
	}
	tests := []struct {
		name string
		set  func(c *Config)
		want string
	}{
		{"webim and edna id keys", func(c *Config) {
			c.Vendors[0].(*vendors.Webim).IDKey = shared
			c.Vendors[1].(*vendors.Edna).IDKey = shared
		}, "chatident: Config.Vendors[1] (edna).IDKey is the same key as Config.Vendors[0] (webim).IDKey: give every key one purpose"},
		{"edna id key and helpcrunch secret", func(c *Config) {
			c.Vendors[1].(*vendors.Edna).IDKey = shared
			c.Vendors[2].(*vendors.HelpCrunch).Secret = shared
		}, "chatident: Config.Vendors[2] (helpcrunch).Secret is the same key as Config.Vendors[1] (edna).IDKey: give every key one purpose"},
		{"webim private key as its id key", func(c *Config) {
			c.Vendors[0].(*vendors.Webim).IDKey = c.Vendors[0].(*vendors.Webim).PrivateKey
		}, "chatident: Config.Vendors[0] (webim).IDKey is the same key as Config.Vendors[0] (webim).PrivateKey: give every key one purpose"},
		{"helpcrunch secret and sign-out key", func(c *Config) {
			c.Vendors[2].(*vendors.HelpCrunch).Secret = shared
			c.SignOut.HashKey = shared
		}, "chatident: Config.SignOut.HashKey is the same key as Config.Vendors[2] (helpcrunch).Secret: give every key one purpose"},
		{"zendesk secret and login-token secret", func(c *Config) {
			c.Vendors[3].(*vendors.Zendesk).Secret = shared
			c.Sources[0].(*JWTCookie).Secret = shared
		}, "chatident: Config.Sources[0] (*middleware.JWTCookie).Secret is the same key as Config.Vendors[3] (zendesk).Secret: give every key one purpose"},
		{"old session key and old sign-out key", func(c *Config) {
			c.Sources[1].(*SessionCookie[map[string]string]).PreviousKeys[0].HashKey = shared
			c.SignOut.PreviousHashKeys[0] = shared
		}, "chatident: Config.SignOut.PreviousHashKeys[0] is the same key as Config.Sources[1] (*middleware.SessionCookie[map[string]string]).PreviousKeys[0].HashKey: give every key one purpose"},
		// A copy, not the same slice: the comparison is by value.
		{"equal bytes in another slice", func(c *Config) {
			c.Vendors[0].(*vendors.Webim).PrivateKey = append([]byte(nil), shared...)
			c.Vendors[3].(*vendors.Zendesk).Secret = append([]byte(nil), shared...)
		}, "chatident: Config.Vendors[3] (zendesk).Secret is the same key as Config.Vendors[0] (webim).PrivateKey: give every key one purpose"},
	}
	for _, tt := range tests {
		c := cfg()
		tt.set(&c)
		_, err := New(c)
		if err == nil {
			t.Errorf("%s: New accepted the shared key", tt.name)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, err, tt.want)
		}
		if strings.Contains(err.Error(), string(shared)) || strings.Contains(err.Error(), "not-a-secret") {
			t.Errorf("%s: the error shows a key: %s", tt.name, err)
		}
	}
}

// TestNewSharedKeysSkipUnused checks that keys a configuration does not use
// are not compared: a raw-id vendor has no id key, and a disabled sign-out
// has no marker key.
func TestNewSharedKeysSkipUnused(t *testing.T) {
	k := []byte("one-key-not-a-secret-0123456789abcdef")
	_, err := New(Config{
		Vendors: []vendors.Vendor{
			&vendors.Webim{PrivateKey: k, RawID: true},
			&vendors.Edna{RawID: true},
		},
		SignOut: SignOut{Disabled: true, HashKey: k},
	})
	if err != nil {
		t.Errorf("New: %v", err)
	}
}
