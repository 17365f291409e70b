package vendors

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestValidate lists every configuration mistake of every vendor and checks
// that Validate reports it as a *ConfigError naming the vendor and field.
func TestValidate(t *testing.T) {
	short := []byte("fifteen-bytes!!")
	tests := []struct {
		name   string
		vendor Validator
		field  string // "" means valid
	}{
		{"webim ok", &Webim{PrivateKey: testKey, IDKey: testIDKey}, ""},
		{"webim raw ok", &Webim{PrivateKey: testKey, RawID: true}, ""},
		{"webim loader ok", &Webim{PrivateKey: testKey, IDKey: testIDKey, Account: "demo", Domain: "chat.example.com:8443", Location: "x", LoaderURL: "https://cdn.example.com/button.js"}, ""},
		{"webim loader URL only ok", &Webim{PrivateKey: testKey, IDKey: testIDKey, LoaderURL: "/static/button.js"}, ""},
		{"webim no key", &Webim{IDKey: testIDKey}, "PrivateKey"},
		{"webim short key", &Webim{PrivateKey: short, IDKey: testIDKey}, "PrivateKey"},
		{"webim bad hash", &Webim{PrivateKey: testKey, IDKey: testIDKey, Hash: 7}, "Hash"},
		{"webim bad charset", &Webim{PrivateKey: testKey, IDKey: testIDKey, Charset: -1}, "Charset"},
		{"webim negative TTL", &Webim{PrivateKey: testKey, IDKey: testIDKey, TTL: -time.Second}, "TTL"},
		{"webim tiny TTL", &Webim{PrivateKey: testKey, IDKey: testIDKey, TTL: time.Second}, "TTL"},
		{"webim no id key", &Webim{PrivateKey: testKey}, "IDKey"},
		{"webim short id key", &Webim{PrivateKey: testKey, IDKey: short}, "IDKey"},
		{"webim bad account", &Webim{PrivateKey: testKey, IDKey: testIDKey, Account: "demo.evil"}, "Account"},
		{"webim bad domain", &Webim{PrivateKey: testKey, IDKey: testIDKey, Account: "demo", Domain: "https://x"}, "Domain"},
		{"webim domain without account", &Webim{PrivateKey: testKey, IDKey: testIDKey, Domain: "chat.example.com"}, "Account"},
		{"webim bad loader", &Webim{PrivateKey: testKey, IDKey: testIDKey, LoaderURL: "javascript:alert(1)"}, "LoaderURL"},
		{"webim protocol-relative loader", &Webim{PrivateKey: testKey, IDKey: testIDKey, LoaderURL: "//evil.example/x.js"}, "LoaderURL"},

		{"edna ok", &Edna{IDKey: testIDKey}, ""},
		{"edna raw ok", &Edna{RawID: true, ClientIDName: "$id_1", ClientDataName: "_data", ExtendedAuthName: "auth"}, ""},
		{"edna no key", &Edna{}, "IDKey"},
		{"edna short key", &Edna{IDKey: short}, "IDKey"},
		{"edna bad id name", &Edna{IDKey: testIDKey, ClientIDName: "client-id"}, "ClientIDName"},
		{"edna reserved data name", &Edna{IDKey: testIDKey, ClientDataName: "class"}, "ClientDataName"},
		{"edna digit first", &Edna{IDKey: testIDKey, ExtendedAuthName: "1auth"}, "ExtendedAuthName"},
		{"edna non-ASCII name", &Edna{IDKey: testIDKey, ClientIDName: "клиент"}, "ClientIDName"},
		{"edna same names", &Edna{IDKey: testIDKey, ClientDataName: "clientId"}, "ClientDataName"},

		{"helpcrunch ok", &HelpCrunch{Organization: "acme-2", AppID: "1", Secret: testKey}, ""},
		{"helpcrunch no org", &HelpCrunch{AppID: "1", Secret: testKey}, "Organization"},
		{"helpcrunch bad org", &HelpCrunch{Organization: "acme.evil.example/", AppID: "1", Secret: testKey}, "Organization"},
		{"helpcrunch hyphen org", &HelpCrunch{Organization: "-acme", AppID: "1", Secret: testKey}, "Organization"},
		{"helpcrunch no app", &HelpCrunch{Organization: "acme", Secret: testKey}, "AppID"},
		{"helpcrunch no secret", &HelpCrunch{Organization: "acme", AppID: "1"}, "Secret"},
		{"helpcrunch short secret", &HelpCrunch{Organization: "acme", AppID: "1", Secret: short}, "Secret"},
		{"helpcrunch bad widget URL", &HelpCrunch{Organization: "acme", AppID: "1", Secret: testKey, WidgetURL: "ftp://x/"}, "WidgetURL"},

		{"zendesk chat ok", &Zendesk{Secret: testKey, AccountKey: "k", TokenTTL: 7 * time.Minute, AllowedOrigins: []string{"https://app.example.com", "http://localhost:8080"}}, ""},
		{"zendesk classic ok", &Zendesk{Flavor: ZendeskWebWidget, Secret: testKey}, ""},
		{"zendesk messaging ok", &Zendesk{Flavor: ZendeskMessaging, Secret: testKey, KeyID: "app_1"}, ""},
		{"zendesk bad flavor", &Zendesk{Flavor: 3, Secret: testKey}, "Flavor"},
		{"zendesk no secret", &Zendesk{AccountKey: "k"}, "Secret"},
		{"zendesk short secret", &Zendesk{AccountKey: "k", Secret: short}, "Secret"},
		{"zendesk messaging no kid", &Zendesk{Flavor: ZendeskMessaging, Secret: testKey}, "KeyID"},
		{"zendesk chat no account key", &Zendesk{Secret: testKey}, "AccountKey"},
		{"zendesk bad SDK URL", &Zendesk{Secret: testKey, AccountKey: "k", SDKURL: "data:text/javascript,alert(1)"}, "SDKURL"},
		{"zendesk TTL too long", &Zendesk{Secret: testKey, AccountKey: "k", TokenTTL: 7*time.Minute + time.Second}, "TokenTTL"},
		{"zendesk TTL negative", &Zendesk{Secret: testKey, AccountKey: "k", TokenTTL: -time.Minute}, "TokenTTL"},
		{"zendesk TTL tiny", &Zendesk{Secret: testKey, AccountKey: "k", TokenTTL: time.Millisecond}, "TokenTTL"},
		{"zendesk origin star", &Zendesk{Secret: testKey, AccountKey: "k", AllowedOrigins: []string{"*"}}, "AllowedOrigins"},
		{"zendesk origin null", &Zendesk{Secret: testKey, AccountKey: "k", AllowedOrigins: []string{"null"}}, "AllowedOrigins"},
		{"zendesk origin with path", &Zendesk{Secret: testKey, AccountKey: "k", AllowedOrigins: []string{"https://app.example.com/x"}}, "AllowedOrigins"},
		{"zendesk origin trailing slash", &Zendesk{Secret: testKey, AccountKey: "k", AllowedOrigins: []string{"https://app.example.com/"}}, "AllowedOrigins"},
		{"zendesk origin upper case", &Zendesk{Secret: testKey, AccountKey: "k", AllowedOrigins: []string{"https://App.example.com"}}, "AllowedOrigins"},
		{"zendesk origin no scheme", &Zendesk{Secret: testKey, AccountKey: "k", AllowedOrigins: []string{"app.example.com"}}, "AllowedOrigins"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.vendor.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Validate() = %v (%T), want a *ConfigError", err, err)
			}
			name := tt.vendor.(Vendor).Name()
			if ce.Vendor != name || ce.Field != tt.field || ce.Problem == "" {
				t.Errorf("ConfigError = %+v, want vendor %s, field %s", ce, name, tt.field)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, name+": "+tt.field+" ") {
				t.Errorf("message %q does not start with %q", msg, name+": "+tt.field)
			}
		})
	}
}

// TestOriginProblemsAreNamed: each AllowedOrigins mistake is reported with
// the entry and its own problem, so a trailing slash is not mistaken for a
// wildcard (each entry below passes every earlier check in checkOrigin).
func TestOriginProblemsAreNamed(t *testing.T) {
	for _, tt := range []struct{ origin, want string }{
		{"*", `"*": list exact origins, never a wildcard`},
		{"null", `"null", the origin of sandboxed`},
		{"app.example.com", `is not an http(s) origin`},
		{"https://app.example.com/x", `has more than scheme://host[:port]`},
		{"https://app.example.com/", `entry "https://app.example.com/" ends with "/"`},
		{"https://App.example.com", `"https://App.example.com" is not lower case`},
	} {
		err := (&Zendesk{Secret: testKey, AccountKey: "k", AllowedOrigins: []string{tt.origin}}).Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("origin %q: %v, want a problem saying %q", tt.origin, err, tt.want)
		}
		if tt.origin != "*" && err != nil && strings.Contains(err.Error(), "wildcard") {
			t.Errorf("origin %q reported as a wildcard: %v", tt.origin, err)
		}
	}
}

// TestRequestTimeErrorsNeverPanic calls every method of zero-value vendors:
// each must return an error or a harmless script, never panic or sign with
// an empty key.
func TestRequestTimeErrorsNeverPanic(t *testing.T) {
	for _, vendor := range []Vendor{&Webim{}, &Edna{}, &HelpCrunch{}, &Zendesk{}} {
		r := Request{} // no HTTP request, no clock, no endpoints
		var d Data
		d.Reset(nil)
		if err := vendor.Identify(t.Context(), r, Visitor{ID: "1"}, &d); err == nil && vendor.Name() != "zendesk" {
			// Zendesk's page data holds nothing to sign; its token
			// endpoint fails below.
			t.Errorf("%s: zero value identified a visitor", vendor.Name())
		}
		if _, err := vendor.Prepare(Setup{}); err == nil {
			t.Errorf("%s: zero value prepared", vendor.Name())
		}
		if p, ok := vendor.(EndpointProvider); ok {
			for _, ep := range p.Endpoints() {
				rec, res := serve(ep, "GET", nil, &Visitor{ID: "1"})
				if res.Issued || rec.Code != 500 {
					t.Errorf("%s %s: zero value issued: %d %+v", vendor.Name(), ep.Path, rec.Code, res)
				}
				ep.Serve(httptest.NewRecorder(), Request{}, nil) // no HTTP request at all
			}
		}
	}
}

func TestEnumStrings(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{WebimHMACSHA256.String(), "hmac-sha256"},
		{WebimSHA256.String(), "sha256"},
		{WebimSHA512.String(), "sha512"},
		{WebimHash(9).String(), "WebimHash(9)"},
		{WebimUTF8.String(), "utf-8"},
		{WebimCP1251.String(), "cp1251"},
		{WebimKOI8R.String(), "koi8-r"},
		{WebimCharset(9).String(), "WebimCharset(9)"},
		{ZendeskChatSDK.String(), "chat-sdk"},
		{ZendeskWebWidget.String(), "web-widget"},
		{ZendeskMessaging.String(), "messaging"},
		{ZendeskFlavor(9).String(), "ZendeskFlavor(9)"},
	} {
		if tt.got != tt.want {
			t.Errorf("String() = %q, want %q", tt.got, tt.want)
		}
	}
}
