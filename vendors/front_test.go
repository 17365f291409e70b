package vendors

import (
	"testing"
)

func TestFrontUserHashVectors(t *testing.T) {
	for _, tc := range []struct{ key, userID, email, want string }{
		// Front's documented e-mail example; reproduce:
		//   printf '%s' leela@planet-express.com | openssl dgst -sha256 -hmac front-verification-secret
		{"front-verification-secret", "", "leela@planet-express.com", "4c5d3c62bb7393b7874f2db04e58f4509e22e36eac071ba4b5e5e4c4173dea46"},
		// With a userId, the userId is signed, not the e-mail:
		//   printf '%s' user_8f14e45f | openssl dgst -sha256 -hmac front-verification-secret
		{"front-verification-secret", "user_8f14e45f", "leela@planet-express.com", "aa46f6825ff82fd1d3e19730ecd73a55d996f2fb125b7c1303648512268496a1"},
		//   printf '%s' 12345 | openssl dgst -sha256 -hmac front-verification-secret
		{"front-verification-secret", "12345", "", "9a13069374826a6b96355f950347b2846829560b51e204118f6df8a4e71ff53f"},
	} {
		var pooled hmacStates
		pooled.prepare(8, []byte(tc.key))
		for _, m := range []*hmacStates{{}, &pooled} {
			if got := m.userHashHex([]byte(tc.key), tc.userID, tc.email); got != tc.want {
				t.Errorf("userHash(%q, %q) = %s, want %s", tc.userID, tc.email, got, tc.want)
			}
		}
	}
}

const frontTestBundle = "https://chat-assets.frontapp.com/v1/chat.bundle.js"

func TestFrontPage(t *testing.T) {
	f := &Front{ChatID: "a1b2c3d4e5", VerificationSecret: []byte("front-verification-secret")}
	if _, err := f.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	d, err := f.visitorData(Visitor{ID: "12345", Name: "Leela", Email: "leela@planet-express.com", Attributes: map[string]string{"plan": "gold"}})
	if err != nil {
		t.Fatal(err)
	}
	loaded := map[string][]string{frontTestBundle: {"FrontChat"}}
	out := runWidget(t, nodeInput{OnScriptLoad: loaded}, "", mustPrepare(t, f), widgetCall{"identify", d})
	calls := out.calls("FrontChat")
	want := map[string]any{"chatId": "a1b2c3d4e5", "useDefaultLauncher": true, "userId": "12345",
		"userHash": "9a13069374826a6b96355f950347b2846829560b51e204118f6df8a4e71ff53f",
		"email":    "leela@planet-express.com", "name": "Leela", "customFields": map[string]any{"plan": "gold"}}
	if len(calls) != 1 || calls[0].Args[0] != "init" || !equalJSONish(calls[0].Args[1].(map[string]any), want) {
		t.Errorf("calls = %+v\nwant init %v", calls, want)
	}
	if len(out.Scripts) != 1 || out.Scripts[0] != frontTestBundle {
		t.Errorf("scripts = %v", out.Scripts)
	}

	// Sign-out page: shutdown with clearSession, then the anonymous init.
	out = runWidget(t, nodeInput{OnScriptLoad: loaded}, "", mustPrepare(t, f), widgetCall{"reset", nil}, widgetCall{"anonymous", nil})
	calls = out.calls("FrontChat")
	if len(calls) != 2 || calls[0].Args[0] != "shutdown" || !equalJSONish(calls[0].Args[1].(map[string]any), map[string]any{"clearSession": true}) ||
		calls[1].Args[0] != "init" || !equalJSONish(calls[1].Args[1].(map[string]any), map[string]any{"chatId": "a1b2c3d4e5", "useDefaultLauncher": true}) {
		t.Errorf("calls = %+v", calls)
	}

	// In place on a running chat: shutdown, then init with the new identity.
	out = runWidget(t, nodeInput{Stubs: []string{"FrontChat"}}, "", mustPrepare(t, f), widgetCall{"update", d})
	calls = out.calls("FrontChat")
	if len(calls) != 2 || calls[0].Args[0] != "shutdown" || calls[1].Args[0] != "init" || len(out.Scripts) != 0 {
		t.Errorf("calls = %+v scripts %v", calls, out.Scripts)
	}
}

func TestFrontValidate(t *testing.T) {
	checkConfigErrors(t, "ok", (&Front{ChatID: "abc", VerificationSecret: testKey}).Validate(), frontName)
	checkConfigErrors(t, "empty", (&Front{}).Validate(), frontName, "ChatID", "VerificationSecret")
	checkConfigErrors(t, "wrong", (&Front{ChatID: "a b", VerificationSecret: []byte("x")}).Validate(), frontName, "ChatID", "VerificationSecret")
}
