package vendors

import (
	"testing"
)

func TestTawkToHashVectors(t *testing.T) {
	for _, tc := range []struct{ key, msg, want string }{
		// Secure Mode for the visitor object (e-mail); reproduce:
		//   printf '%s' visitor@example.com | openssl dgst -sha256 -hmac tawk-js-api-key
		{"tawk-js-api-key", "visitor@example.com", "5f0daa2f5bac0afcda454a462d60394ad48367a7fe136af215897b5d764271af"},
		// login() signs the userId:
		//   printf '%s' user-42 | openssl dgst -sha256 -hmac tawk-js-api-key
		{"tawk-js-api-key", "user-42", "d81af83944e97e38a6ddf58f652f2710a97a6d25ff4f3add52943e01323a45d1"},
		//   python3 -c "import hmac,hashlib;print(hmac.new(b'test-key-not-a-secret-0123456789abcdef','Zoë@exämple.com'.encode(),hashlib.sha256).hexdigest())"
		{string(testKey), "Zoë@exämple.com", "3bde6e4f5fb0b7df25153350376d6567027964558bf5d136e7e9703421fb010b"},
	} {
		var pooled hmacStates
		pooled.prepare(8, []byte(tc.key))
		for _, m := range []*hmacStates{{}, &pooled} {
			if got := tawkToHash(m, []byte(tc.key), tc.msg); got != tc.want {
				t.Errorf("tawkToHash(%q) = %s, want %s", tc.msg, got, tc.want)
			}
		}
	}
}

const tawkTestEmbed = "https://embed.tawk.to/5f1e2d3c4b5a69788796a5b4/1ab2cd3ef"

func tawkTest(t *testing.T) *TawkTo {
	tk := &TawkTo{PropertyID: "5f1e2d3c4b5a69788796a5b4", WidgetID: "1ab2cd3ef", APIKey: []byte("tawk-js-api-key-0123456789")}
	if _, err := tk.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestTawkToVisitorBeforeEmbed(t *testing.T) {
	tk := tawkTest(t)
	d, err := tk.visitorData(Visitor{ID: "42", Name: "Ann", Email: "visitor@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	out := runWidget(t, nodeInput{Read: []string{"Tawk_API"}}, "", mustPrepare(t, tk), widgetCall{"identify", d})
	visitor, _ := readMap(out, "Tawk_API")["visitor"].(map[string]any)
	// printf '%s' visitor@example.com | openssl dgst -sha256 -hmac tawk-js-api-key-0123456789
	want := map[string]any{"name": "Ann", "email": "visitor@example.com", "hash": "8683725279d0a09732bbdac87e32d68ffbef1513b9183dafcd77b1fe9d9b4f24"}
	if !equalJSONish(visitor, want) {
		t.Errorf("Tawk_API.visitor = %v, want %v", visitor, want)
	}
	if len(out.Scripts) != 1 || out.Scripts[0] != tawkTestEmbed {
		t.Errorf("scripts = %v", out.Scripts)
	}
}

func TestTawkToLoginWithoutEmail(t *testing.T) {
	tk := tawkTest(t)
	d, _ := tk.visitorData(Visitor{ID: "user-42", Name: "Ann"})
	// The widget's API appears when the embed loads, then it calls onLoad.
	out := runWidget(t, nodeInput{
		OnScriptLoad: map[string][]string{tawkTestEmbed: {"Tawk_API.setAttributes", "Tawk_API.login"}},
		Invoke:       []string{"Tawk_API.onLoad"},
		Read:         []string{"Tawk_API"},
	}, "", mustPrepare(t, tk), widgetCall{"identify", d})
	calls := out.calls("Tawk_API.login")
	// printf '%s' user-42 | openssl dgst -sha256 -hmac tawk-js-api-key-0123456789
	want := map[string]any{"userId": "user-42", "hash": "d6890e52e5d02defd3bde1c4a227717d96d47a58e18ad23bca01e850e262e665", "name": "Ann"}
	if len(calls) != 1 || !equalJSONish(calls[0].Args[0].(map[string]any), want) {
		t.Errorf("login calls = %+v, want %v", calls, want)
	}
	if readMap(out, "Tawk_API")["visitor"] != nil {
		t.Error("visitor set without an e-mail")
	}
}

func TestTawkToResetAndUpdate(t *testing.T) {
	tk := tawkTest(t)
	// Sign-out page: logout once the widget has loaded, keeping the page's
	// own onLoad.
	out := runWidget(t, nodeInput{
		OnScriptLoad: map[string][]string{tawkTestEmbed: {"Tawk_API.setAttributes", "Tawk_API.logout", "pageOnLoad"}},
		Invoke:       []string{"Tawk_API.onLoad"},
	}, `window.Tawk_API={visitor:{email:"old@example.com"},onLoad:function(){window.pageOnLoad()}};`, mustPrepare(t, tk),
		widgetCall{"reset", nil}, widgetCall{"anonymous", nil})
	if len(out.calls("Tawk_API.logout")) != 1 || len(out.calls("pageOnLoad")) != 1 {
		t.Errorf("calls = %+v, want logout and the page's onLoad", out.Calls)
	}
	if len(out.Scripts) != 1 {
		t.Errorf("scripts = %v", out.Scripts)
	}
	// A loaded widget changes identity in place with setAttributes.
	d, _ := tk.visitorData(Visitor{ID: "7", Email: "b@example.com"})
	out = runWidget(t, nodeInput{Stubs: []string{"Tawk_API.setAttributes"}}, `window.Tawk_LoadStart=new Date();`, mustPrepare(t, tk), widgetCall{"update", d})
	calls := out.calls("Tawk_API.setAttributes")
	if len(calls) != 1 || calls[0].Args[0].(map[string]any)["hash"] != tawkToHash(&hmacStates{}, tk.APIKey, "b@example.com") || len(out.Scripts) != 0 {
		t.Errorf("calls = %+v scripts %v", calls, out.Scripts)
	}
}

func TestTawkToValidate(t *testing.T) {
	checkConfigErrors(t, "ok", (&TawkTo{PropertyID: "abc", APIKey: testKey}).Validate(), tawkToName)
	checkConfigErrors(t, "empty", (&TawkTo{}).Validate(), tawkToName, "PropertyID", "APIKey")
	checkConfigErrors(t, "everything wrong", (&TawkTo{PropertyID: "a/b", WidgetID: "x?y", APIKey: []byte("k")}).Validate(),
		tawkToName, "PropertyID", "WidgetID", "APIKey")
}
