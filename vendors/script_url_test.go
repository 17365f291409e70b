package vendors

import (
	"context"
	"strings"
	"testing"
)

// TestScriptsIgnoreBaseHref runs every script that fetches or loads
// something in a page whose <base href> points at another origin, as one
// placed anywhere in the page (even after the script) would, and checks
// that every fetch and every script it adds still goes to the page's own
// origin: relative URLs are built from location.href, never left for the
// document's base URL to resolve.
func TestScriptsIgnoreBaseHref(t *testing.T) {
	const page, evil = "https://site.example/account/orders", "https://evil.example/"
	ctx := context.Background()
	v := Visitor{ID: "12345", Name: "Anna"}
	tests := []struct {
		name   string
		vendor Vendor
		in     nodeInput
	}{
		{"webim refresher and loader", &Webim{PrivateKey: testKey, IDKey: testIDKey, LoaderURL: "/static/webim/button.js"},
			nodeInput{FireTimers: true, Fetch: map[string]nodeResponse{"/_chatident/test/refresh": {Status: 401, Body: map[string]string{"error": "anonymous"}}}}},
		{"zendesk chat sdk", &Zendesk{Secret: testKey, AccountKey: "k", SDKURL: "/static/zendesk/web-sdk.js"},
			nodeInput{OnScriptLoad: map[string][]string{"https://site.example/static/zendesk/web-sdk.js": {"zChat.init"}}, Fetch: zendeskFetch}},
		{"zendesk web widget", &Zendesk{Flavor: ZendeskWebWidget, Secret: testKey},
			nodeInput{Invoke: []string{"zESettings.webWidget.authenticate.chat.jwtFn"}, Fetch: zendeskFetch}},
		{"zendesk messaging", &Zendesk{Flavor: ZendeskMessaging, Secret: testKey, KeyID: "kid"},
			nodeInput{Stubs: []string{"zE"}, Fetch: zendeskFetch}},
		{"helpcrunch loader", &HelpCrunch{Organization: "acme", AppID: "1", Secret: testKey, WidgetURL: "/static/hc.js"},
			nodeInput{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script, err := identifyJS(ctx, tt.vendor, testRequest(), v)
			if err != nil {
				t.Fatal(err)
			}
			in := tt.in
			in.Script, in.Base, in.DocumentBase = string(script), page, evil
			out := runNode(t, in)
			if len(out.Fetches)+len(out.Scripts) == 0 {
				t.Fatalf("the script fetched and loaded nothing: the test checks nothing\n%s", script)
			}
			for _, f := range out.Fetches {
				if !strings.HasPrefix(f.URL, "https://site.example/_chatident/test/") {
					t.Errorf("fetch of %s, want the page's own origin", f.URL)
				}
			}
			for _, s := range out.Scripts {
				if !strings.HasPrefix(s, "https://site.example/static/") {
					t.Errorf("script %s, want the page's own origin", s)
				}
			}
		})
	}
	// Absolute loader URLs stay as configured.
	h := &HelpCrunch{Organization: "acme", AppID: "1", Secret: testKey}
	script, err := anonymousJS(ctx, h, testRequest())
	if err != nil {
		t.Fatal(err)
	}
	out := runNode(t, nodeInput{Script: string(script), Base: page, DocumentBase: evil})
	if len(out.Scripts) != 1 || out.Scripts[0] != hcDefaultLoad {
		t.Errorf("scripts = %v, want %s", out.Scripts, hcDefaultLoad)
	}
}
