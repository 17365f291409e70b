package vendors

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestWidgetsHostileValues gives every new widget visitors whose every
// field is hostile, runs all eight on one page in JavaScript, and checks
// that each widget API received the Go values in their browser form and
// that every signature matches the value as received.
func TestWidgetsHostileValues(t *testing.T) {
	var seen []string // e-mails HubSpot's stand-in was asked for
	api := newHubSpotStandIn(t, tokenAnswer)
	hs, _, _, _ := newHubSpotTest(t, api, HubSpot{})

	ic := &Intercom{AppID: "abc123", Secret: testKey, Mode: IntercomUserHash}
	icJWT := &Intercom{AppID: "abc123", Secret: testKey}
	cr := &Crisp{WebsiteID: crispTestWebsite, VerifySecret: testKey, TokenIDKey: testIDKey}
	tk := &TawkTo{PropertyID: "p1", APIKey: testKey}
	cw := &Chatwoot{BaseURL: "https://chat.example.com", WebsiteToken: "w", HMACToken: testKey}
	hsc := &HelpScout{BeaconID: helpScoutTestID, SecureKey: testKey}
	fr := &Front{ChatID: "c1", VerificationSecret: testKey}
	dr := &Drift{EmbedID: "e1", SigningKey: testKey}
	for _, v := range []Vendor{ic, icJWT, cr, tk, cw, hsc, fr, dr} {
		if _, err := v.Prepare(testSetup(testRequest())); err != nil {
			t.Fatal(err)
		}
	}
	sign := func(msg any) string {
		s, _ := msg.(string)
		return hmacHexOf(testKey, s)
	}

	for _, s := range hostileStrings {
		v := hostileVisitor(s)
		want := browserForm(s)
		must := func(d Object, err error) Object {
			t.Helper()
			if err != nil || d == nil {
				t.Fatalf("%q: data %v, %v", s, d, err)
			}
			return d
		}
		var script strings.Builder
		script.WriteString(chatwootPrelude + `window.$chatwoot.hasLoaded=true;` +
			`window.Beacon=function(m,o,d){window.Beacon.readyQueue.push({method:m,options:o,data:d})};window.Beacon.readyQueue=[];window.BQ=window.Beacon.readyQueue;`)
		script.WriteString(widgetScript(t, mustPrepare(t, ic), widgetCall{"identify", must(ic.visitorData(v, testNow))}))
		script.WriteString(widgetScript(t, mustPrepare(t, cr), widgetCall{"identify", must(cr.visitorData(v))}))
		script.WriteString(widgetScript(t, mustPrepare(t, tk), widgetCall{"identify", must(tk.visitorData(v))}))
		script.WriteString(widgetScript(t, mustPrepare(t, cw), widgetCall{"identify", must(cw.visitorData(v))}))
		script.WriteString(widgetScript(t, mustPrepare(t, hsc), widgetCall{"identify", must(hsc.visitorData(v))}))
		script.WriteString(widgetScript(t, mustPrepare(t, fr), widgetCall{"identify", must(fr.visitorData(v))}))
		script.WriteString(widgetScript(t, mustPrepare(t, dr), widgetCall{"identify", must(dr.visitorData(v, testNow))}))
		script.WriteString(widgetScript(t, mustPrepare(t, hs), widgetCall{"identify", must(hs.visitorData(context.Background(), v))}))
		jwtData := must(icJWT.visitorData(v, testNow))

		out := runNode(t, nodeInput{
			Script: script.String(),
			Stubs:  []string{"$chatwoot.setUser", "FrontChat"},
			Read:   []string{"intercomSettings", "$crisp", "Tawk_API", "BQ", "drift", "hsConversationsSettings"},
		})

		// Intercom, user_hash mode: values and hash of the received user_id.
		is := readMap(out, "intercomSettings")
		if is["name"] != want || is["email"] != want || is["user_id"] != "id-"+want || is["user_hash"] != sign(is["user_id"]) {
			t.Errorf("%q: intercomSettings = %v", s, is)
		}
		// Intercom, JWT mode: the claims, checked by Python.
		if c := mustVerifyJWT(t, jwtData[0].Value.(string), testKey).Claims; c["name"] != want || c["email"] != want || c["user_id"] != "id-"+want {
			t.Errorf("%q: intercom claims = %v", s, c)
		}
		// Crisp: the e-mail as received, and its signature.
		var crisp [][]any
		_ = json.Unmarshal([]byte(jsonString(t, out.Read["$crisp"])), &crisp)
		if len(crisp) != 3 {
			t.Fatalf("%q: $crisp = %v", s, crisp)
		}
		email := crisp[0][2].([]any)
		if email[0] != want || email[1] != sign(email[0]) || crisp[1][2].([]any)[0] != want || crisp[2][2].([]any)[0] != want {
			t.Errorf("%q: $crisp = %v", s, crisp)
		}
		// tawk.to: visitor before the embed.
		tv, _ := readMap(out, "Tawk_API")["visitor"].(map[string]any)
		if tv["name"] != want || tv["email"] != want || tv["hash"] != sign(tv["email"]) {
			t.Errorf("%q: Tawk_API.visitor = %v", s, tv)
		}
		// Chatwoot: setUser(identifier, user).
		if c := out.calls("$chatwoot.setUser"); len(c) != 1 || c[0].Args[0] != "id-"+want ||
			c[0].Args[1].(map[string]any)["name"] != want || c[0].Args[1].(map[string]any)["phone_number"] != want ||
			c[0].Args[1].(map[string]any)["identifier_hash"] != sign(c[0].Args[0]) {
			t.Errorf("%q: setUser = %+v", s, c)
		}
		// Help Scout: identify's options.
		bq, _ := out.Read["BQ"].([]any)
		if len(bq) != 2 {
			t.Fatalf("%q: Beacon queue = %v", s, bq)
		}
		hso := bq[1].(map[string]any)["options"].(map[string]any)
		if hso["name"] != want || hso["email"] != want || hso["company"] != want || hso["signature"] != sign(hso["email"]) {
			t.Errorf("%q: Beacon identify = %v", s, hso)
		}
		// Front: init's options.
		if c := out.calls("FrontChat"); len(c) != 1 || c[0].Args[1].(map[string]any)["name"] != want ||
			c[0].Args[1].(map[string]any)["userHash"] != sign(c[0].Args[1].(map[string]any)["userId"]) ||
			c[0].Args[1].(map[string]any)["customFields"].(map[string]any)[want] != want {
			t.Errorf("%q: FrontChat = %+v", s, c)
		}
		// Drift: identify(user_id, attributes, {userJwt}) with sub = user_id.
		dq, _ := out.Read["drift"].([]any)
		if len(dq) != 1 {
			t.Fatalf("%q: drift = %v", s, dq)
		}
		call := dq[0].([]any)
		jwtOpts := call[3].(map[string]any)
		if call[1] != "id-"+want || call[2].(map[string]any)["name"] != want ||
			mustVerifyJWT(t, jwtOpts["userJwt"].(string), testKey).Claims["sub"] != call[1] {
			t.Errorf("%q: drift identify = %v", s, call)
		}
		// HubSpot: the e-mail the page holds is the one the token was asked for.
		hsSettings := readMap(out, "hsConversationsSettings")
		if hsSettings["identificationEmail"] != want {
			t.Errorf("%q: hsConversationsSettings = %v", s, hsSettings)
		}
		api.mu.Lock()
		var body struct{ Email string }
		_ = json.Unmarshal(api.reqs[len(api.reqs)-1].body, &body)
		api.mu.Unlock()
		seen = append(seen, body.Email)
		if body.Email != want {
			t.Errorf("%q: HubSpot was asked for %q", s, body.Email)
		}
	}
	if len(seen) != len(hostileStrings) {
		t.Errorf("HubSpot calls = %d", len(seen))
	}
}
