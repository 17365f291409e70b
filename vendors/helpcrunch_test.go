package vendors

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

// Vectors for user id "12345" and Secret testKey:
//
//	printf '%s' 12345 | openssl dgst -sha256 -hmac 'test-key-not-a-secret-0123456789abcdef'
//	  security_hash of the raw id, and the hashed user_id
//	python3 -c "import hmac,hashlib;k=b'test-key-not-a-secret-0123456789abcdef';u=hmac.new(k,b'12345',hashlib.sha256).hexdigest();print(hmac.new(k,u.encode(),hashlib.sha256).hexdigest())"
//	  security_hash of the hashed user_id
const (
	hcHash12345   = "19c69b9239f5630e5404b696e6e8104d5d6d68564ea73aedbd417eab8fd71103"
	hcHashOfHash  = "0d7149f5d7f156187e2f0bf6decc6f7481df5cb0c6942226d2dc65c19e240a4e"
	hcTestOrg     = "acme"
	hcTestAppID   = "a47f724b-bh1f-4504-7fa7-0fbf7dg84kb0"
	hcDefaultLoad = "https://acme.widget.helpcrunch.com/"
)

// runHelpCrunch runs script in node and returns the commands queued for the
// widget.
func runHelpCrunch(t *testing.T, script []byte) ([][]any, nodeOutput) {
	t.Helper()
	out := runNode(t, nodeInput{Script: string(script), Read: []string{"HelpCrunch"}})
	q, _ := out.Read["HelpCrunch"].([]any)
	cmds := make([][]any, len(q))
	for i, c := range q {
		cmds[i], _ = c.([]any)
	}
	return cmds, out
}

// TestHelpCrunchIdentify checks the raw-id mode (RawUserID), where the
// vector is the one HelpCrunch's documentation describes: security_hash over
// the site's own id.
func TestHelpCrunchIdentify(t *testing.T) {
	h := &HelpCrunch{Organization: hcTestOrg, AppID: hcTestAppID, Secret: testKey, RawUserID: true}
	v := Visitor{
		ID: "12345", Name: "User One", Email: "one@example.com", Phone: "+380123456789", Company: "my company",
		Attributes: map[string]string{"subscription": "gold"},
	}
	script, err := identifyJS(context.Background(), h, testRequest(), v)
	if err != nil {
		t.Fatal(err)
	}
	cmds, out := runHelpCrunch(t, script)
	if len(out.Scripts) != 1 || out.Scripts[0] != hcDefaultLoad {
		t.Errorf("widget scripts = %v, want %s", out.Scripts, hcDefaultLoad)
	}
	if len(cmds) != 2 || len(cmds[0]) != 3 || cmds[0][0] != "init" || cmds[0][1] != hcTestOrg || len(cmds[1]) != 1 || cmds[1][0] != "showChatWidget" {
		t.Fatalf("commands = %v, want init then showChatWidget", cmds)
	}
	settings, _ := cmds[0][2].(map[string]any)
	user, _ := settings["user"].(map[string]any)
	want := map[string]any{
		"user_id": "12345", "name": "User One", "email": "one@example.com", "phone": "+380123456789",
		"company": "my company", "security_hash": hcHash12345,
		"custom_data": map[string]any{"subscription": "gold"},
	}
	if settings["appId"] != hcTestAppID || !equalJSONish(user, want) {
		t.Errorf("init settings = %v\nwant user %v", settings, want)
	}
}

// TestHelpCrunchOpaqueUserIDByDefault checks that a configuration that says
// nothing about ids sends the opaque user_id, so that no one can claim a
// guessable user_id first (HelpCrunch pins the first hash it sees).
func TestHelpCrunchOpaqueUserIDByDefault(t *testing.T) {
	h := &HelpCrunch{Organization: hcTestOrg, AppID: "7", Secret: testKey, HideWidget: true, WidgetURL: "/static/hc.js"}
	script, err := identifyJS(context.Background(), h, testRequest(), Visitor{ID: "12345"})
	if err != nil {
		t.Fatal(err)
	}
	cmds, out := runHelpCrunch(t, script)
	if len(cmds) != 1 {
		t.Fatalf("commands = %v, want init only (HideWidget)", cmds)
	}
	user := cmds[0][2].(map[string]any)["user"].(map[string]any)
	want := map[string]any{"user_id": hcHash12345, "security_hash": hcHashOfHash}
	if !equalJSONish(user, want) {
		t.Errorf("user = %v, want %v", user, want)
	}
	if len(out.Scripts) != 1 || out.Scripts[0] != "https://site.example/static/hc.js" {
		t.Errorf("scripts = %v", out.Scripts)
	}
}

// A page that already has the widget's loader, written with the same
// relative URL, does not get a second copy: the comparison is between
// resolved URLs, as the browser reports them.
func TestHelpCrunchLoaderNotDuplicated(t *testing.T) {
	h := &HelpCrunch{Organization: hcTestOrg, AppID: "7", Secret: testKey, WidgetURL: "/static/hc.js"}
	script, err := anonymousJS(context.Background(), h, testRequest())
	if err != nil {
		t.Fatal(err)
	}
	out := runNode(t, nodeInput{Script: string(script), Base: "https://shop.example/cart", Existing: []string{"/static/hc.js"}})
	if len(out.Scripts) != 0 {
		t.Errorf("scripts added = %v, want none: the page already loads the widget", out.Scripts)
	}
	out = runNode(t, nodeInput{Script: string(script), Base: "https://shop.example/cart", Existing: []string{"/static/other.js"}})
	if len(out.Scripts) != 1 || out.Scripts[0] != "https://shop.example/static/hc.js" {
		t.Errorf("scripts added = %v, want the widget once", out.Scripts)
	}
}

func TestHelpCrunchAnonymousAndReset(t *testing.T) {
	h := &HelpCrunch{Organization: hcTestOrg, AppID: hcTestAppID, Secret: testKey}
	script, err := anonymousJS(context.Background(), h, testRequest())
	if err != nil {
		t.Fatal(err)
	}
	cmds, _ := runHelpCrunch(t, script)
	if len(cmds) != 2 || cmds[0][0] != "init" || len(cmds[0][2].(map[string]any)) != 1 {
		t.Errorf("anonymous commands = %v, want init with appId only", cmds)
	}

	reset, err := resetJS(h, testRequest())
	if err != nil {
		t.Fatal(err)
	}
	// On a sign-out page the reset comes first, then the anonymous script:
	// one queue, one widget script, logout first.
	cmds, out := runHelpCrunch(t, append(reset, script...))
	if len(cmds) != 3 || cmds[0][0] != "logout" || cmds[1][0] != "init" {
		t.Errorf("reset + anonymous commands = %v", cmds)
	}
	if len(out.Scripts) != 1 {
		t.Errorf("scripts = %v, want the widget once", out.Scripts)
	}
	// A widget already on the page receives the call directly.
	out = runNode(t, nodeInput{Script: string(reset), Stubs: []string{"HelpCrunch"}})
	if c := out.calls("HelpCrunch"); len(c) != 1 || c[0].Args[0] != "logout" {
		t.Errorf("calls = %+v", out.Calls)
	}
}

// TestHelpCrunchHashUserIDCompat checks the deprecated HashUserID: alone it
// changes nothing (hashed ids are the default), with RawUserID it is refused.
func TestHelpCrunchHashUserIDCompat(t *testing.T) {
	old := &HelpCrunch{Organization: hcTestOrg, AppID: "7", Secret: testKey, HashUserID: true}
	_, data, err := pageData(context.Background(), old, testRequest(), &Visitor{ID: "12345"})
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		User struct {
			UserID string `json:"user_id"`
		}
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if got := d.User.UserID; got != hcHash12345 {
		t.Errorf("HashUserID user_id = %v, want the opaque id %s", got, hcHash12345)
	}
	both := &HelpCrunch{Organization: hcTestOrg, AppID: "7", Secret: testKey, HashUserID: true, RawUserID: true}
	var ce *ConfigError
	if err := both.Validate(); !errors.As(err, &ce) || ce.Field != "RawUserID" {
		t.Errorf("HashUserID with RawUserID: Validate() = %v, want a ConfigError on RawUserID", err)
	}
}

func TestHelpCrunchErrors(t *testing.T) {
	h := &HelpCrunch{Organization: hcTestOrg, AppID: hcTestAppID, Secret: testKey}
	if _, err := identifyJS(context.Background(), h, testRequest(), Visitor{Name: "x"}); !errors.Is(err, ErrNoVisitorID) {
		t.Errorf("no ID: %v", err)
	}
	if _, err := identifyJS(context.Background(), (&HelpCrunch{Organization: hcTestOrg, AppID: "1"}), testRequest(), Visitor{ID: "1"}); err == nil {
		t.Error("no Secret: Identify must fail, never send an unsigned user_id")
	}
}

// equalJSONish compares decoded JSON objects one level deep plus nested maps.
func equalJSONish(got, want map[string]any) bool {
	if len(got) != len(want) {
		return false
	}
	for k, w := range want {
		if wm, ok := w.(map[string]any); ok {
			gm, ok := got[k].(map[string]any)
			if !ok || !equalJSONish(gm, wm) {
				return false
			}
			continue
		}
		if got[k] != w {
			return false
		}
	}
	return true
}
