package vendors

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestUpdateInPlace runs each seed vendor's Update code in node, with the
// widget's API stubbed, for a visitor who signs in and for one who signs
// out (d null), and checks the vendor's documented call for a changed
// visitor was made with the new identity.
func TestUpdateInPlace(t *testing.T) {
	ctx := context.Background()
	v := Visitor{ID: "user-42", Name: "Anna"}
	r := testRequest()

	t.Run("webim", func(t *testing.T) {
		w := &Webim{PrivateKey: testKey, IDKey: testIDKey}
		for _, who := range []*Visitor{&v, nil} {
			js, err := updateJS(ctx, w, r, who)
			if err != nil {
				t.Fatal(err)
			}
			out := runNode(t, nodeInput{Script: string(js), Stubs: []string{"webim.api.onProvidedVisitorChanged"}, Read: []string{"webim_visitor"}})
			if n := len(out.calls("webim.api.onProvidedVisitorChanged")); n != 1 {
				t.Errorf("signed in %v: onProvidedVisitorChanged called %d times", who != nil, n)
			}
			obj, _ := out.Read["webim_visitor"].(map[string]any)
			if (who != nil) != (obj != nil) || (who != nil && obj["hash"] == nil) {
				t.Errorf("signed in %v: webim_visitor = %v", who != nil, out.Read["webim_visitor"])
			}
		}
	})

	t.Run("edna", func(t *testing.T) {
		e := &Edna{IDKey: testIDKey}
		for _, who := range []*Visitor{&v, nil} {
			js, err := updateJS(ctx, e, r, who)
			if err != nil {
				t.Fatal(err)
			}
			out := runNode(t, nodeInput{Script: string(js), Stubs: []string{"ThreadsWidget.reInit"}, Read: []string{"clientId"}})
			calls := out.calls("ThreadsWidget.reInit")
			if len(calls) != 1 {
				t.Fatalf("reInit calls = %+v", out.Calls)
			}
			arg, _ := calls[0].Args[0].(map[string]any)
			want := ""
			if who != nil {
				want = ednaOpaque42
			}
			if arg["clientId"] != want || out.Read["clientId"] != want {
				t.Errorf("signed in %v: reInit(%v), clientId %v; want %q", who != nil, arg, out.Read["clientId"], want)
			}
			if data, _ := arg["clientData"].(string); (who != nil) != (data == `{"name":"Anna"}`) {
				t.Errorf("signed in %v: clientData %q", who != nil, data)
			}
		}
	})

	t.Run("helpcrunch", func(t *testing.T) {
		h := &HelpCrunch{Organization: "acme", AppID: "1", Secret: testKey}
		for _, who := range []*Visitor{&v, nil} {
			js, err := updateJS(ctx, h, r, who)
			if err != nil {
				t.Fatal(err)
			}
			out := runNode(t, nodeInput{Script: string(js), Stubs: []string{"HelpCrunch"}})
			calls := out.calls("HelpCrunch")
			if len(calls) != 1 {
				t.Fatalf("HelpCrunch calls = %+v", out.Calls)
			}
			switch {
			case who != nil && calls[0].Args[0] == "updateUser":
				if user, _ := calls[0].Args[1].(map[string]any); user["user_id"] != hcHashedUserID(h, v.ID) || user["security_hash"] == nil {
					t.Errorf("updateUser(%v)", calls[0].Args[1])
				}
			case who == nil && calls[0].Args[0] == "logout":
			default:
				t.Errorf("signed in %v: HelpCrunch%v", who != nil, calls[0].Args)
			}
		}
	})

	t.Run("zendesk messaging", func(t *testing.T) {
		z := &Zendesk{Flavor: ZendeskMessaging, Secret: testKey, KeyID: "kid"}
		for _, who := range []*Visitor{&v, nil} {
			js, err := updateJS(ctx, z, r, who)
			if err != nil {
				t.Fatal(err)
			}
			out := runNode(t, nodeInput{Script: string(js), Stubs: []string{"zE"}})
			calls := out.calls("zE")
			want := "logoutUser"
			if who != nil {
				want = "loginUser"
			}
			if len(calls) != 1 || calls[0].Args[0] != "messenger" || calls[0].Args[1] != want {
				t.Errorf("signed in %v: zE calls %+v, want messenger %s", who != nil, out.Calls, want)
			}
		}
	})
}

// hcHashedUserID is the opaque user_id, HMAC-SHA256(Secret, id) in hex,
// computed with crypto/hmac rather than the vendor's keyed states.
func hcHashedUserID(h *HelpCrunch, id string) string {
	m := hmac.New(sha256.New, h.Secret)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))
}
