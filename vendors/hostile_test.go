package vendors

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// allVendors returns every vendor in every mode that changes its script.
func allVendors() []Vendor {
	hostile := hostileStrings[0]
	return []Vendor{
		&Webim{PrivateKey: testKey, IDKey: testIDKey, Account: "demo",
			Comment: func(v Visitor) string { return v.Name }, Info: func(v Visitor) string { return v.Company }},
		&Webim{PrivateKey: testKey, RawID: true, Hash: WebimSHA512, LoaderURL: "/webim.js?a=</script>"},
		&Edna{IDKey: testIDKey,
			ClientData:   func(v Visitor) map[string]string { return map[string]string{v.Name: v.Email} },
			ExtendedAuth: func(_ context.Context, _ Request, v Visitor) (map[string]string, error) { return v.Attributes, nil }},
		&Edna{RawID: true, ClientIDName: "cid"},
		&HelpCrunch{Organization: "acme", AppID: hostile, Secret: testKey, RawUserID: true},
		&HelpCrunch{Organization: "acme", AppID: "1", Secret: testKey, WidgetURL: "https://x.example/</script>"},
		&Zendesk{Secret: testKey, AccountKey: hostile, SDKURL: "/z.js?</script><!--"},
		&Zendesk{Flavor: ZendeskWebWidget, Secret: testKey},
		&Zendesk{Flavor: ZendeskMessaging, Secret: testKey, KeyID: hostile},
	}
}

// TestScriptsSafeForHostileValues runs every script and endpoint of every
// vendor on visitors whose every field is hostile, and checks that no output
// could end its <script> element, open a comment or depend on the page's
// charset.
func TestScriptsSafeForHostileValues(t *testing.T) {
	ctx := context.Background()
	for _, vendor := range allVendors() {
		if err := vendor.(Validator).Validate(); err != nil {
			t.Fatalf("%s: %v", vendor.Name(), err)
		}
		what := vendor.Name()
		for _, s := range hostileStrings {
			v := hostileVisitor(s)
			script, err := identifyJS(ctx, vendor, testRequest(), v)
			if err != nil {
				t.Errorf("%s Identify(%q): %v", what, s, err)
				continue
			}
			checkScriptSafe(t, what+" Identify", script)
			if p, ok := vendor.(EndpointProvider); ok {
				for _, ep := range p.Endpoints() {
					rec, res := serve(ep, http.MethodGet, nil, &v)
					// Webim declines values that hold its login form ("<…>").
					if !res.Issued && res.Reason != ReasonDeclined {
						t.Errorf("%s %s(%q): %+v %s", what, ep.Path, s, res, rec.Body)
					}
					checkScriptSafe(t, what+" "+ep.Path, rec.Body.Bytes())
				}
			}
		}
		s, err := vendor.Prepare(testSetup(testRequest()))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for name, code := range map[string]string{
			"Identify": s.Identify, "Anonymous": s.Anonymous, "Reset": s.Reset, "Update": s.Update,
		} {
			checkScriptSafe(t, what+" "+name, []byte(code))
		}
	}
}

// TestHostileValuesReachWidgets runs each vendor's script in JavaScript with
// hostile visitors and checks that every widget API received exactly the Go
// values (in their browser form, invalid UTF-8 replaced) and that signatures
// match the values as received.
func TestHostileValuesReachWidgets(t *testing.T) {
	ctx := context.Background()
	for _, s := range hostileStrings {
		v := hostileVisitor(s)
		want := browserForm(s)

		t.Run("webim", func(t *testing.T) {
			w := &Webim{PrivateKey: testKey, IDKey: testIDKey, DisableRefresh: true, Comment: func(v Visitor) string { return v.Name }}
			script, err := identifyJS(ctx, w, testRequest(), v)
			if err != nil {
				t.Fatal(err)
			}
			out := runNode(t, nodeInput{Script: string(script), Read: []string{"webim_visitor"}})
			obj, _ := out.Read["webim_visitor"].(map[string]any)
			if holdsWebimLogin(want) {
				// Holds the login form: declined, no identity (see
				// TestWebimDeclinesAmbiguous).
				if obj != nil {
					t.Errorf("webim_visitor = %v, want none: %q holds the login form", obj, want)
				}
				return
			}
			fields, _ := obj["fields"].(map[string]any)
			for _, k := range []string{"display_name", "email", "phone", "avatar_url", "profile_url", "comment"} {
				w := want
				if k == "profile_url" && isDigit(w[len(w)-1]) {
					w += "#" // webimGuardEnd
				}
				if fields[k] != w {
					t.Errorf("%s = %q, want %q", k, fields[k], w)
				}
			}
			if l := webimWrapLogin(want); fields["login"] != l {
				t.Errorf("login = %q, want %q", fields["login"], l)
			}
			// The hash must be over what Webim receives from the browser.
			var signed strings.Builder
			for _, k := range sortedKeys(fields) {
				signed.WriteString(fields[k].(string))
			}
			signed.WriteString(strconv.FormatInt(int64(obj["expires"].(float64)), 10))
			m := hmac.New(sha256.New, testKey)
			m.Write([]byte(signed.String()))
			if obj["hash"] != hex.EncodeToString(m.Sum(nil)) {
				t.Errorf("hash does not match the received fields")
			}
		})

		t.Run("edna", func(t *testing.T) {
			e := &Edna{IDKey: testIDKey, ExtendedAuth: func(context.Context, Request, Visitor) (map[string]string, error) {
				return map[string]string{"token": s}, nil
			}}
			script, err := identifyJS(ctx, e, testRequest(), v)
			if err != nil {
				t.Fatal(err)
			}
			out := runNode(t, nodeInput{Script: string(script), Read: []string{"clientData", "extendedAuth"}})
			_, data := ednaClientData(t, out.Read["clientData"])
			for _, k := range []string{"name", "phone", "email", want, "plan"} {
				if data[k] != want {
					t.Errorf("clientData[%q] = %q, want %q", k, data[k], want)
				}
			}
			if ext, _ := out.Read["extendedAuth"].(map[string]any); ext["token"] != want {
				t.Errorf("extendedAuth = %v", out.Read["extendedAuth"])
			}
		})

		t.Run("helpcrunch", func(t *testing.T) {
			// Raw ids, so that the hostile id itself reaches the widget.
			h := &HelpCrunch{Organization: "acme", AppID: "1", Secret: testKey, RawUserID: true}
			script, err := identifyJS(ctx, h, testRequest(), v)
			if err != nil {
				t.Fatal(err)
			}
			cmds, _ := runHelpCrunch(t, script)
			user, _ := cmds[0][2].(map[string]any)["user"].(map[string]any)
			for _, k := range []string{"name", "email", "phone", "company"} {
				if user[k] != want {
					t.Errorf("user.%s = %q, want %q", k, user[k], want)
				}
			}
			if user["user_id"] != "id-"+want {
				t.Errorf("user_id = %q", user["user_id"])
			}
			custom, _ := user["custom_data"].(map[string]any)
			if custom[want] != want || custom["plan"] != want {
				t.Errorf("custom_data = %v", custom)
			}
			m := hmac.New(sha256.New, testKey)
			m.Write([]byte(user["user_id"].(string)))
			if user["security_hash"] != hex.EncodeToString(m.Sum(nil)) {
				t.Error("security_hash does not match the user_id HelpCrunch receives")
			}
		})

		t.Run("zendesk", func(t *testing.T) {
			z := &Zendesk{Flavor: ZendeskMessaging, Secret: testKey, KeyID: "k"}
			tok, err := z.Token(testRequest(), v)
			if err != nil {
				t.Fatal(err)
			}
			c := mustVerifyJWT(t, tok, testKey).Claims
			if c["name"] != want || c["email"] != want || c["external_id"] != "id-"+want {
				t.Errorf("claims = %v, want %q", c, want)
			}
		})
	}
}
