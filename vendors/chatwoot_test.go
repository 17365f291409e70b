package vendors

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func TestChatwootIdentifierHashVectors(t *testing.T) {
	for _, tc := range []struct{ key, id, want string }{
		// Chatwoot's documented example; reproduce:
		//   printf '%s' identifier | openssl dgst -sha256 -hmac webwidget.hmac_token
		{"webwidget.hmac_token", "identifier", "c86fb0978a6600bc1121d785571e4aa730b223e5a0ea9987f1b925799c3ec291"},
		//   python3 -c "import hmac,hashlib;print(hmac.new(b'test-key-not-a-secret-0123456789abcdef','82cd5e0c-c3ff-11e9-b199-c1e5fc81c37f'.encode(),hashlib.sha256).hexdigest())"
		{string(testKey), "82cd5e0c-c3ff-11e9-b199-c1e5fc81c37f", "1f3f59d13bf7f4515ac9c73457a5c95b2ee0258249d8714a388f7b48130eb75c"},
	} {
		var pooled hmacStates
		pooled.prepare(8, []byte(tc.key))
		for _, m := range []*hmacStates{{}, &pooled} {
			if got := chatwootIdentifierHash(m, []byte(tc.key), tc.id); got != tc.want {
				t.Errorf("identifier_hash(%q) = %s, want %s", tc.id, got, tc.want)
			}
		}
	}
}

// An old Chatwoot docs sample keyed the HMAC with the identifier and
// signed the token. That form must never come out, for the documented
// example or any other pair.
func TestChatwootNeverSwapsKeyAndMessage(t *testing.T) {
	// The swapped form of the documented example:
	//   printf '%s' webwidget.hmac_token | openssl dgst -sha256 -hmac identifier
	const swapped = "d67ee7c1afc6cd7d95659d2c6cbf5083c217a14820401bb36b369898cb12fd96"
	if got := chatwootIdentifierHash(&hmacStates{}, []byte("webwidget.hmac_token"), "identifier"); got == swapped {
		t.Fatalf("identifier_hash is the swapped key/message form %s", got)
	}
	cw := &Chatwoot{BaseURL: "https://app.chatwoot.com", WebsiteToken: "tok", HMACToken: testKey}
	if _, err := cw.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	for _, s := range hostileStrings {
		d, err := cw.visitorData(hostileVisitor(s))
		if err != nil {
			t.Fatal(err)
		}
		id := d[0].Value.(string)
		got := d[1].Value.(Object)[len(d[1].Value.(Object))-1].Value.(string)
		m := hmac.New(sha256.New, []byte(id))
		m.Write(testKey)
		if got == hex.EncodeToString(m.Sum(nil)) {
			t.Errorf("identifier_hash for %q is keyed by the identifier", s)
		}
	}
}

const chatwootTestSDK = "https://chat.example.com/packs/js/sdk.js"

// chatwootPrelude lets a test fire chatwoot:ready the way the SDK does:
// fireReady marks $chatwoot loaded and calls the listeners.
const chatwootPrelude = `(function(w){var ev=[];var a=w.addEventListener;w.addEventListener=function(t,f){if(t==="chatwoot:ready"){ev.push(f)}a(t,f)};` +
	`w.removeEventListener=function(t,f){ev=ev.filter(function(g){return g!==f})};` +
	`w.fireReady=function(){w.$chatwoot.hasLoaded=true;ev.slice().forEach(function(f){f()})}})(window);`

func TestChatwootPage(t *testing.T) {
	cw := &Chatwoot{BaseURL: "https://chat.example.com/", WebsiteToken: "Wt0k3n", HMACToken: testKey}
	if _, err := cw.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	v := Visitor{ID: "82cd5e0c-c3ff-11e9-b199-c1e5fc81c37f", Name: "Ann", Email: "ann@example.com", Phone: "+1", AvatarURL: "https://img.example/a.png"}
	d, _ := cw.visitorData(v)
	loaded := map[string][]string{chatwootTestSDK: {"chatwootSDK.run", "$chatwoot.setUser", "$chatwoot.reset"}}
	out := runWidget(t, nodeInput{OnScriptLoad: loaded, Invoke: []string{"fireReady"}, Read: []string{"chatwootSettings"}},
		chatwootPrelude, mustPrepare(t, cw), widgetCall{"identify", d})
	if len(out.Scripts) != 1 || out.Scripts[0] != chatwootTestSDK {
		t.Errorf("scripts = %v", out.Scripts)
	}
	run := out.calls("chatwootSDK.run")
	if len(run) != 1 || !equalJSONish(run[0].Args[0].(map[string]any), map[string]any{"websiteToken": "Wt0k3n", "baseUrl": "https://chat.example.com"}) {
		t.Errorf("run = %+v", run)
	}
	set := out.calls("$chatwoot.setUser")
	want := map[string]any{"email": "ann@example.com", "name": "Ann", "avatar_url": "https://img.example/a.png", "phone_number": "+1",
		"identifier_hash": "1f3f59d13bf7f4515ac9c73457a5c95b2ee0258249d8714a388f7b48130eb75c"}
	if len(set) != 1 || set[0].Args[0] != v.ID || !equalJSONish(set[0].Args[1].(map[string]any), want) {
		t.Errorf("setUser = %+v\nwant %v", set, want)
	}

	// Sign-out: reset once ready.
	out = runWidget(t, nodeInput{OnScriptLoad: loaded, Invoke: []string{"fireReady"}}, chatwootPrelude, mustPrepare(t, cw),
		widgetCall{"reset", nil}, widgetCall{"anonymous", nil})
	if len(out.calls("$chatwoot.reset")) != 1 || len(out.calls("$chatwoot.setUser")) != 0 {
		t.Errorf("calls = %+v", out.Calls)
	}

	// In place on a ready widget: reset, then setUser, without waiting for
	// a chatwoot:ready that does not come again.
	out = runWidget(t, nodeInput{Stubs: []string{"$chatwoot.setUser", "$chatwoot.reset"}}, `window.$chatwoot.hasLoaded=true;`, mustPrepare(t, cw),
		widgetCall{"update", d})
	if len(out.Calls) != 2 || out.Calls[0].Name != "$chatwoot.reset" || out.Calls[1].Name != "$chatwoot.setUser" || len(out.Scripts) != 0 {
		t.Errorf("calls = %+v scripts %v", out.Calls, out.Scripts)
	}
}

func TestChatwootValidate(t *testing.T) {
	checkConfigErrors(t, "ok", (&Chatwoot{BaseURL: "https://app.chatwoot.com", WebsiteToken: "abc", HMACToken: testKey}).Validate(), chatwootName)
	checkConfigErrors(t, "ok local", (&Chatwoot{BaseURL: "http://127.0.0.1:3000", WebsiteToken: "abc", HMACToken: testKey}).Validate(), chatwootName)
	checkConfigErrors(t, "empty", (&Chatwoot{}).Validate(), chatwootName, "BaseURL", "WebsiteToken", "HMACToken")
	checkConfigErrors(t, "everything wrong", (&Chatwoot{BaseURL: "http://chat.example.com", WebsiteToken: "a\"b", HMACToken: []byte("s")}).Validate(),
		chatwootName, "BaseURL", "WebsiteToken", "HMACToken")
	for _, u := range []string{"javascript:alert(1)", "//chat.example.com", "https://chat.example.com/?x=1", "https://u:p@chat.example.com", "chat.example.com"} {
		checkConfigErrors(t, u, (&Chatwoot{BaseURL: u, WebsiteToken: "abc", HMACToken: testKey}).Validate(), chatwootName, "BaseURL")
	}
}
