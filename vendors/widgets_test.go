package vendors

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
)

// newWidgets returns the eight further widgets, configured, not prepared;
// HubSpot asks api.
func newWidgets(api *hubSpotStandIn) []Vendor {
	return []Vendor{
		&Intercom{AppID: "abc123", Secret: testKey},
		&Intercom{AppID: "abc123", Secret: testKey, Mode: IntercomUserHash, Region: IntercomEU},
		&Crisp{WebsiteID: crispTestWebsite, VerifySecret: testKey, TokenIDKey: testIDKey},
		&TawkTo{PropertyID: "p1", APIKey: testKey},
		&Chatwoot{BaseURL: "https://chat.example.com/a</script><!--", WebsiteToken: "w", HMACToken: testKey},
		&HelpScout{BeaconID: helpScoutTestID, SecureKey: testKey},
		&Front{ChatID: "c1", VerificationSecret: testKey},
		&Drift{EmbedID: "e1", SigningKey: testKey},
		&HubSpot{PortalID: "123", Token: []byte(hubSpotTestToken), APIBase: api.srv.URL},
	}
}

var vendorName = regexp.MustCompile(`^[a-z0-9_]+$`)

// Identify before Prepare fails instead of writing unsigned or unchecked
// data; after it, Identify writes exactly the fields the vendor's data
// tests check, and every body of every Script is safe in a <script>
// (mustPrepare checks, even with markup in a configured URL).
func TestWidgetsPrepareAndIdentify(t *testing.T) {
	api := newHubSpotStandIn(t, tokenAnswer)
	v := Visitor{ID: "12345", Name: "Ann", Email: "ann@example.com", Phone: "+1", Company: "Acme", AvatarURL: "https://img.example/a.png",
		Attributes: map[string]string{"plan": "gold"}}
	names := map[string]bool{}
	for _, w := range newWidgets(api) {
		var d Data
		d.Reset(nil)
		if err := w.Identify(context.Background(), testRequest(), v, &d); !errors.Is(err, errNotPrepared) {
			t.Errorf("%s: Identify before Prepare: %v", w.Name(), err)
		}
		mustPrepare(t, w)
		if !vendorName.MatchString(w.Name()) {
			t.Errorf("name %q", w.Name())
		}
		names[w.Name()] = true
		got := identifyJSON(t, w, v)
		var want Object
		var err error
		switch x := w.(type) {
		case *Intercom:
			want, err = x.visitorData(v, testNow)
		case *Crisp:
			want, err = x.visitorData(v)
		case *TawkTo:
			want, err = x.visitorData(v)
		case *Chatwoot:
			want, err = x.visitorData(v)
		case *HelpScout:
			want, err = x.visitorData(v)
		case *Front:
			want, err = x.visitorData(v)
		case *Drift:
			want, err = x.visitorData(v, testNow)
		case *HubSpot:
			want = Object{{"email", "ann@example.com"}, {"token", "tok-1"}}
		}
		if err != nil {
			t.Fatal(err)
		}
		if string(mustJS(t, want)) != got {
			t.Errorf("%s: Identify wrote %s\nwant %s", w.Name(), got, mustJS(t, want))
		}
		var d2 Data
		d2.Reset(nil)
		if err := w.Identify(context.Background(), testRequest(), Visitor{Email: "a@example.com"}, &d2); !errors.Is(err, ErrNoVisitorID) {
			t.Errorf("%s: no ID: %v", w.Name(), err)
		}
	}
	if len(names) != 8 {
		t.Errorf("names = %v, want eight distinct", names)
	}
}

// BenchmarkIdentifyWidgets measures what one identified page costs each of
// the eight widgets: signing and writing the data (HubSpot from its cache).
func BenchmarkIdentifyWidgets(b *testing.B) {
	api := newHubSpotStandIn(&testing.T{}, tokenAnswer)
	defer api.srv.Close()
	v := Visitor{ID: "12345", Name: "Анна Петрова", Email: "anna@example.com", Phone: "+79990001122",
		Attributes: map[string]string{"plan": "gold"}}
	seen := map[string]bool{}
	for _, w := range newWidgets(api) {
		name := w.Name()
		if seen[name] {
			name += "_2"
		}
		seen[w.Name()] = true
		if _, err := w.Prepare(testSetup(testRequest())); err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			ctx, r := context.Background(), testRequest()
			var d Data
			buf := make([]byte, 0, 2048)
			b.ReportAllocs()
			for b.Loop() {
				d.Reset(buf[:0])
				if err := w.Identify(ctx, r, v, &d); err != nil {
					b.Fatal(err)
				}
				if _, err := d.Bytes(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// ScriptURL replaces each widget's own script (a self-hosted copy, the
// demo's stand-ins), and a URL that is not one is a configuration error.
func TestWidgetsScriptURL(t *testing.T) {
	const src = "/standin/widget.js?a=</script>"
	const loaded = "https://site.example/standin/widget.js?a=%3C/script%3E"
	for _, w := range []Vendor{
		&Intercom{AppID: "a1", Secret: testKey, ScriptURL: src},
		&Crisp{WebsiteID: crispTestWebsite, VerifySecret: testKey, ScriptURL: src},
		&TawkTo{PropertyID: "p1", APIKey: testKey, ScriptURL: src},
		&Chatwoot{BaseURL: "https://chat.example.com", WebsiteToken: "w", HMACToken: testKey, ScriptURL: src},
		&HelpScout{BeaconID: helpScoutTestID, SecureKey: testKey, ScriptURL: src},
		&Front{ChatID: "c1", VerificationSecret: testKey, ScriptURL: src},
		&Drift{EmbedID: "e1", SigningKey: testKey, ScriptURL: src},
		&HubSpot{PortalID: "1", Token: []byte(hubSpotTestToken), ScriptURL: src},
	} {
		out := runWidget(t, nodeInput{}, "", mustPrepare(t, w), widgetCall{"anonymous", nil})
		if len(out.Scripts) != 1 || out.Scripts[0] != loaded {
			t.Errorf("%s: scripts = %v, want %s", w.Name(), out.Scripts, loaded)
		}
	}
	for _, tc := range []struct {
		v    Validator
		name string
	}{
		{&Intercom{AppID: "a1", Secret: testKey, ScriptURL: "javascript:alert(1)"}, intercomName},
		{&Crisp{WebsiteID: crispTestWebsite, VerifySecret: testKey, ScriptURL: "//evil.example/x.js"}, crispName},
		{&TawkTo{PropertyID: "p1", APIKey: testKey, ScriptURL: "x.js"}, tawkToName},
		{&Chatwoot{BaseURL: "https://chat.example.com", WebsiteToken: "w", HMACToken: testKey, ScriptURL: "data:,x"}, chatwootName},
		{&HelpScout{BeaconID: helpScoutTestID, SecureKey: testKey, ScriptURL: "ftp://x.example/b.js"}, helpScoutName},
		{&Front{ChatID: "c1", VerificationSecret: testKey, ScriptURL: "javascript:x"}, frontName},
		{&Drift{EmbedID: "e1", SigningKey: testKey, ScriptURL: "javascript:x"}, driftName},
		{&HubSpot{PortalID: "1", Token: []byte(hubSpotTestToken), ScriptURL: "javascript:x"}, hubSpotName},
	} {
		checkConfigErrors(t, tc.name+" ScriptURL", tc.v.Validate(), tc.name, "ScriptURL")
	}
}

// Every secret of every widget is reported by Keys, so that middleware.New
// can refuse one key in two places.
func TestWidgetsKeys(t *testing.T) {
	api := newHubSpotStandIn(t, tokenAnswer)
	want := map[string][]string{
		intercomName: {"Secret"}, crispName: {"VerifySecret", "TokenIDKey"}, tawkToName: {"APIKey"},
		chatwootName: {"HMACToken"}, helpScoutName: {"SecureKey"}, frontName: {"VerificationSecret"},
		driftName: {"SigningKey"}, hubSpotName: {"Token"},
	}
	for _, w := range newWidgets(api) {
		kh, ok := w.(KeyHolder)
		if !ok {
			t.Errorf("%s is not a KeyHolder", w.Name())
			continue
		}
		var fields []string
		for _, k := range kh.Keys() {
			if len(k.Value) == 0 {
				t.Errorf("%s: %s is empty in a configured vendor", w.Name(), k.Field)
			}
			fields = append(fields, k.Field)
		}
		if strings.Join(fields, ",") != strings.Join(want[w.Name()], ",") {
			t.Errorf("%s: Keys = %v, want %v", w.Name(), fields, want[w.Name()])
		}
	}
}

// A <base href> elsewhere in the page does not move a widget script given
// as a path: it loads from the page's own origin.
func TestWidgetsScriptURLIgnoresBaseHref(t *testing.T) {
	for _, w := range []Vendor{
		&Intercom{AppID: "a1", Secret: testKey, ScriptURL: "/standin/i.js"},
		&Front{ChatID: "c1", VerificationSecret: testKey, ScriptURL: "/standin/f.js"},
		&Drift{EmbedID: "e1", SigningKey: testKey, ScriptURL: "/standin/d.js"},
	} {
		out := runWidget(t, nodeInput{Base: "https://shop.example/cart", DocumentBase: "https://evil.example/"}, "", mustPrepare(t, w), widgetCall{"anonymous", nil})
		if len(out.Scripts) != 1 || !strings.HasPrefix(out.Scripts[0], "https://shop.example/standin/") {
			t.Errorf("%s: scripts = %v, want the page's own origin", w.Name(), out.Scripts)
		}
	}
}
