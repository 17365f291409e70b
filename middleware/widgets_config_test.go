package middleware_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// TestNewReportsEveryWidgetMistake: New, not only each widget's Validate,
// reports every configuration mistake of the eight added widgets in one
// error, each a *vendors.ConfigError naming its vendor and field: missing
// ids, short keys, a Crisp token key equal to its verify secret, Intercom's
// region, Chatwoot's and HubSpot's URLs.
func TestNewReportsEveryWidgetMistake(t *testing.T) {
	short := []byte("short")
	crispKey := []byte("crisp-key-not-a-secret-0123456789")
	_, err := middleware.New(middleware.Config{Vendors: []vendors.Vendor{
		&vendors.Intercom{AppID: "", Secret: short, Region: 9},
		&vendors.Crisp{WebsiteID: "not-a-uuid", VerifySecret: crispKey, TokenIDKey: crispKey},
		&vendors.TawkTo{PropertyID: "", APIKey: nil},
		&vendors.Chatwoot{BaseURL: "http://chat.example.com", WebsiteToken: "", HMACToken: short},
		&vendors.HelpScout{BeaconID: "", SecureKey: nil},
		&vendors.Front{ChatID: "", VerificationSecret: short},
		&vendors.Drift{EmbedID: "", SigningKey: nil},
		&vendors.HubSpot{PortalID: "12ab", Token: short, APIBase: "http://api.example.com"},
	}})
	if err == nil {
		t.Fatal("New accepted eight misconfigured widgets")
	}
	want := map[string]bool{
		"intercom.AppID": true, "intercom.Secret": true, "intercom.Region": true,
		"crisp.WebsiteID": true, "crisp.TokenIDKey": true,
		"tawkto.PropertyID": true, "tawkto.APIKey": true,
		"chatwoot.BaseURL": true, "chatwoot.WebsiteToken": true, "chatwoot.HMACToken": true,
		"helpscout.BeaconID": true, "helpscout.SecureKey": true,
		"front.ChatID": true, "front.VerificationSecret": true,
		"drift.EmbedID": true, "drift.SigningKey": true,
		"hubspot.PortalID": true, "hubspot.Token": true, "hubspot.APIBase": true,
	}
	got := map[string]bool{}
	var walk func(error)
	walk = func(e error) {
		var ce *vendors.ConfigError
		if errors.As(e, &ce) {
			got[ce.Vendor+"."+ce.Field] = true
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
		} else if u := errors.Unwrap(e); u != nil {
			walk(u)
		}
	}
	walk(err)
	for k := range want {
		if !got[k] {
			t.Errorf("New did not report %s", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("New reported %s, which is not a mistake", k)
		}
	}
	if t.Failed() {
		t.Logf("New: %v", err)
	}
	if strings.Contains(err.Error(), string(crispKey)) {
		t.Errorf("the error shows a key: %v", err)
	}
}

// TestNewRefusesWidgetSharedKeys: one secret given to two of the added
// widgets (or to a widget and a seed vendor) is refused by New, naming both
// fields and never the key.
func TestNewRefusesWidgetSharedKeys(t *testing.T) {
	key := func(s string) []byte { return []byte(s + "-key-not-a-secret-0123456789abcdef") }
	shared := key("shared")
	cfg := func() []vendors.Vendor {
		return []vendors.Vendor{
			&vendors.Intercom{AppID: "abc123", Secret: key("intercom")},
			&vendors.Crisp{WebsiteID: "7598bf86-9ebb-46bc-8d61-be8929bbf93d", VerifySecret: key("crisp"), TokenIDKey: key("crisp-id")},
			&vendors.TawkTo{PropertyID: "p1", APIKey: key("tawk")},
			&vendors.Chatwoot{BaseURL: "https://app.chatwoot.com", WebsiteToken: "tok", HMACToken: key("chatwoot")},
			&vendors.HelpScout{BeaconID: "7598bf86-9ebb-46bc-8d61-be8929bbf93d", SecureKey: key("helpscout")},
			&vendors.Front{ChatID: "chat1", VerificationSecret: key("front")},
			&vendors.Drift{EmbedID: "emb1", SigningKey: key("drift")},
			&vendors.HubSpot{PortalID: "123", Token: key("hubspot")},
			&vendors.Edna{IDKey: key("edna")},
		}
	}
	if _, err := middleware.New(middleware.Config{Vendors: cfg()}); err != nil {
		t.Fatalf("distinct keys: New: %v", err)
	}
	tests := []struct {
		name string
		set  func(v []vendors.Vendor)
		want string
	}{
		{"intercom and front", func(v []vendors.Vendor) {
			v[0].(*vendors.Intercom).Secret = shared
			v[5].(*vendors.Front).VerificationSecret = shared
		}, "chatident: Config.Vendors[5] (front).VerificationSecret is the same key as Config.Vendors[0] (intercom).Secret: give every key one purpose"},
		{"hubspot token and drift signing key", func(v []vendors.Vendor) {
			v[6].(*vendors.Drift).SigningKey = shared
			v[7].(*vendors.HubSpot).Token = append([]byte(nil), shared...)
		}, "chatident: Config.Vendors[7] (hubspot).Token is the same key as Config.Vendors[6] (drift).SigningKey: give every key one purpose"},
		{"crisp token id key and edna id key", func(v []vendors.Vendor) {
			v[1].(*vendors.Crisp).TokenIDKey = shared
			v[8].(*vendors.Edna).IDKey = shared
		}, "chatident: Config.Vendors[8] (edna).IDKey is the same key as Config.Vendors[1] (crisp).TokenIDKey: give every key one purpose"},
		{"tawk.to, chatwoot and help scout", func(v []vendors.Vendor) {
			v[2].(*vendors.TawkTo).APIKey = shared
			v[3].(*vendors.Chatwoot).HMACToken = shared
			v[4].(*vendors.HelpScout).SecureKey = shared
		}, "chatident: Config.Vendors[3] (chatwoot).HMACToken is the same key as Config.Vendors[2] (tawkto).APIKey: give every key one purpose"},
	}
	for _, tt := range tests {
		v := cfg()
		tt.set(v)
		_, err := middleware.New(middleware.Config{Vendors: v})
		if err == nil {
			t.Errorf("%s: New accepted the shared key", tt.name)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\n got %s\nwant it to contain %s", tt.name, err, tt.want)
		}
		if strings.Contains(err.Error(), string(shared)) || strings.Contains(err.Error(), "not-a-secret") {
			t.Errorf("%s: the error shows a key: %s", tt.name, err)
		}
	}
}
