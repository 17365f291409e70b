package vendors

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chatident/chatident/internal/testenv"
)

type verifiedJWT struct {
	Header map[string]any `json:"header"`
	Claims map[string]any `json:"claims"`
}

// verifyJWT checks token with testdata/verify_jwt.py, an HS256 verifier
// written with python3's hmac and base64 only, and returns what it decoded.
func verifyJWT(t *testing.T, token string, secret []byte) (verifiedJWT, error) {
	t.Helper()
	py := testenv.LookPath(t, "python3", "install python3 for the independent JWT verification")
	in, _ := json.Marshal(map[string]string{"token": token, "secret": string(secret)})
	cmd := exec.Command(py, filepath.Join("testdata", "verify_jwt.py"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return verifiedJWT{}, errors.New(strings.TrimSpace(stderr.String()))
	}
	var v verifiedJWT
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("verifier output: %v\n%s", err, out)
	}
	return v, nil
}

func mustVerifyJWT(t *testing.T, token string, secret []byte) verifiedJWT {
	t.Helper()
	v, err := verifyJWT(t, token, secret)
	if err != nil {
		t.Fatalf("independent verification failed: %v\ntoken %s", err, token)
	}
	return v
}

var hexJTI = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestZendeskChatToken(t *testing.T) {
	z := &Zendesk{Secret: testKey, AccountKey: "acct"}
	v := Visitor{ID: "82cd5e0c-c3ff-11e9-b199-c1e5fc81c37f", Name: "Анна", Email: "anna@example.com"}
	tok, err := z.Token(testRequest(), v)
	if err != nil {
		t.Fatal(err)
	}
	j := mustVerifyJWT(t, tok, testKey)
	if j.Header["alg"] != "HS256" || j.Header["kid"] != nil {
		t.Errorf("header = %v, want HS256 without kid", j.Header)
	}
	c := j.Claims
	iat, _ := c["iat"].(float64)
	exp, _ := c["exp"].(float64)
	if c["name"] != "Анна" || c["email"] != "anna@example.com" || c["external_id"] != v.ID ||
		int64(iat) != testNow.Unix() || int64(exp) != testNow.Add(5*time.Minute).Unix() {
		t.Errorf("claims = %v", c)
	}
	if exp-iat > 7*60 {
		t.Errorf("exp - iat = %v s, Zendesk allows at most 420", exp-iat)
	}
	jti, _ := c["jti"].(string)
	if !hexJTI.MatchString(jti) {
		t.Errorf("jti = %q, want 32 random hex digits", jti)
	}
	seen := map[string]bool{jti: true}
	for range 50 {
		tok, _ := z.Token(testRequest(), v)
		payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
		if err != nil {
			t.Fatal(err)
		}
		var c struct{ JTI string }
		_ = json.Unmarshal(payload, &c)
		if seen[c.JTI] || !hexJTI.MatchString(c.JTI) {
			t.Fatalf("jti %q repeated or malformed", c.JTI)
		}
		seen[c.JTI] = true
	}

	// The verifier can fail: another key, or a changed payload.
	if _, err := verifyJWT(t, tok, []byte("test-other-key-not-a-secret-0000")); err == nil {
		t.Error("verifier accepted the wrong key")
	}
	parts := strings.Split(tok, ".")
	forged := parts[0] + "." + strings.TrimRight(parts[1], "=") + "A." + parts[2]
	if _, err := verifyJWT(t, forged, testKey); err == nil {
		t.Error("verifier accepted a changed payload")
	}
}

func TestZendeskChatTokenNameFallbackAndTTL(t *testing.T) {
	z := &Zendesk{Secret: testKey, AccountKey: "acct", Flavor: ZendeskWebWidget, TokenTTL: 7 * time.Minute}
	tok, err := z.Token(testRequest(), Visitor{ID: "sub-1", Email: "only@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	c := mustVerifyJWT(t, tok, testKey).Claims
	if c["name"] != "only@example.com" {
		t.Errorf("name = %v, want the e-mail when there is no name", c["name"])
	}
	if exp := int64(c["exp"].(float64)); exp != testNow.Unix()+420 {
		t.Errorf("exp = %d, want iat + 420", exp)
	}
	tok, _ = z.Token(testRequest(), Visitor{ID: "sub-2"})
	c = mustVerifyJWT(t, tok, testKey).Claims
	if _, ok := c["name"]; ok {
		t.Errorf("claims %v: name sent without a name or e-mail", c)
	}
}

func TestZendeskMessagingToken(t *testing.T) {
	z := &Zendesk{Flavor: ZendeskMessaging, Secret: testKey, KeyID: "app_5f8e0c1b2a3d4e5f6a7b8c9d"}
	v := Visitor{ID: "u-1", Name: "Ann", Email: "ann@example.com"}
	tok, err := z.Token(testRequest(), v)
	if err != nil {
		t.Fatal(err)
	}
	j := mustVerifyJWT(t, tok, testKey)
	if j.Header["kid"] != z.KeyID || j.Header["alg"] != "HS256" {
		t.Errorf("header = %v, want kid %s", j.Header, z.KeyID)
	}
	c := j.Claims
	if c["scope"] != "user" || c["external_id"] != "u-1" || c["name"] != "Ann" || c["email"] != "ann@example.com" ||
		c["email_verified"] != false || int64(c["exp"].(float64)) != testNow.Add(5*time.Minute).Unix() {
		t.Errorf("claims = %v", c)
	}
	if int64(c["exp"].(float64))-testNow.Unix() > 420 {
		t.Error("exp more than 7 minutes ahead")
	}

	v.Attributes = map[string]string{ZendeskEmailVerifiedAttribute: "true"}
	tok, _ = z.Token(testRequest(), v)
	if c := mustVerifyJWT(t, tok, testKey).Claims; c["email_verified"] != true {
		t.Errorf("email_verified = %v with the attribute set", c["email_verified"])
	}
}

func TestZendeskTokenEndpoint(t *testing.T) {
	z := &Zendesk{Secret: testKey, AccountKey: "acct", AllowedOrigins: []string{"https://app.example.com"}}
	ep := endpointByPath(t, z, "token")
	v := &Visitor{ID: "u-1", Name: "Ann", Email: "ann@example.com"}

	rec, res := serve(ep, http.MethodGet, nil, v)
	if rec.Code != http.StatusOK || !res.Issued {
		t.Fatalf("GET: %d %+v %s", rec.Code, res, rec.Body)
	}
	checkJSONHeaders(t, rec)
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body) != 1 {
		t.Fatalf("body = %s", rec.Body)
	}
	if c := mustVerifyJWT(t, body["token"], testKey).Claims; c["external_id"] != "u-1" {
		t.Errorf("token claims = %v", c)
	}
	if rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS headers on a same-origin request")
	}
	if !strings.Contains(rec.Header().Get("Vary"), "Origin") {
		t.Error("Vary: Origin missing while AllowedOrigins is set")
	}

	rec, res = serve(ep, http.MethodGet, nil, nil)
	if rec.Code != http.StatusUnauthorized || res.Reason != ReasonAnonymous {
		t.Errorf("anonymous: %d %+v", rec.Code, res)
	}
	checkJSONError(t, rec, ReasonAnonymous)

	for _, m := range []string{http.MethodPost, http.MethodHead, http.MethodOptions, http.MethodDelete} {
		rec, res = serve(ep, m, nil, v)
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET" || res.Reason != ReasonMethod {
			t.Errorf("%s: %d Allow=%q %+v", m, rec.Code, rec.Header().Get("Allow"), res)
		}
	}

	rec, res = serve(ep, http.MethodGet, http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}, v)
	if rec.Code != http.StatusForbidden || res.Reason != ReasonCrossSite || strings.Contains(rec.Body.String(), "token") {
		t.Errorf("cross-site from an unlisted origin: %d %+v %s", rec.Code, res, rec.Body)
	}
	rec, _ = serve(ep, http.MethodGet, http.Header{"Sec-Fetch-Site": {"cross-site"}}, v)
	if rec.Code != http.StatusForbidden {
		t.Errorf("cross-site without Origin: %d", rec.Code)
	}

	rec, res = serve(ep, http.MethodGet, http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://app.example.com"}}, v)
	h := rec.Header()
	if rec.Code != http.StatusOK || !res.Issued || h.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		h.Get("Access-Control-Allow-Credentials") != "true" || !strings.Contains(h.Get("Vary"), "Origin") {
		t.Errorf("cross-site from an allowed origin: %d %v", rec.Code, h)
	}

	closed := &Zendesk{Secret: testKey, AccountKey: "acct"}
	rec, _ = serve(endpointByPath(t, closed, "token"), http.MethodGet, http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://app.example.com"}}, v)
	if rec.Code != http.StatusForbidden {
		t.Errorf("no AllowedOrigins: cross-site got %d", rec.Code)
	}
	rec, _ = serve(endpointByPath(t, closed, "token"), http.MethodGet, http.Header{"Sec-Fetch-Site": {"same-origin"}}, v)
	if rec.Code != http.StatusOK || rec.Header().Get("Vary") != "" {
		t.Errorf("same-origin: %d %v", rec.Code, rec.Header())
	}
}

const zendeskTokenURL = "/_chatident/test/token"

// zendeskFetch makes the token endpoint answer in the node harness.
var zendeskFetch = map[string]nodeResponse{zendeskTokenURL: {Status: 200, Body: map[string]string{"token": "header.payload.sig"}}}

func checkTokenFetched(t *testing.T, out nodeOutput) {
	t.Helper()
	if len(out.Fetches) != 1 || out.Fetches[0].URL != "https://site.example"+zendeskTokenURL || out.Fetches[0].Credentials != "include" {
		t.Errorf("fetches = %+v, want one credentialed fetch of %s", out.Fetches, zendeskTokenURL)
	}
	if len(out.Callbacks) != 1 || out.Callbacks[0] != "header.payload.sig" {
		t.Errorf("widget callback got %v, want the endpoint's token", out.Callbacks)
	}
}

func TestZendeskChatSDKScript(t *testing.T) {
	z := &Zendesk{Secret: testKey, AccountKey: "acct-<key>", SDKURL: "/standin/zendesk.js"}
	script, err := identifyJS(context.Background(), z, testRequest(), Visitor{ID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	out := runNode(t, nodeInput{
		Script:       string(script),
		OnScriptLoad: map[string][]string{"https://site.example/standin/zendesk.js": {"zChat.init", "zChat.logout"}},
		Fetch:        zendeskFetch,
	})
	if len(out.Scripts) != 1 || out.Scripts[0] != "https://site.example/standin/zendesk.js" {
		t.Errorf("scripts = %v", out.Scripts)
	}
	init := out.calls("zChat.init")
	if len(init) != 1 {
		t.Fatalf("zChat.init calls = %+v", out.Calls)
	}
	opts, _ := init[0].Args[0].(map[string]any)
	auth, _ := opts["authentication"].(map[string]any)
	if opts["account_key"] != "acct-<key>" || auth["jwt_fn"] != "[function]" {
		t.Errorf("zChat.init(%v)", opts)
	}
	checkTokenFetched(t, out)

	// The page already has the SDK: init at once, no second copy.
	out = runNode(t, nodeInput{Script: string(script), Stubs: []string{"zChat.init"}, Fetch: zendeskFetch})
	if len(out.Scripts) != 0 || len(out.calls("zChat.init")) != 1 {
		t.Errorf("SDK present: %+v", out)
	}

	anon, err := anonymousJS(context.Background(), z, testRequest())
	if err != nil {
		t.Fatal(err)
	}
	out = runNode(t, nodeInput{Script: string(anon), OnScriptLoad: map[string][]string{"https://site.example/standin/zendesk.js": {"zChat.init"}}})
	init = out.calls("zChat.init")
	if len(init) != 1 || len(init[0].Args[0].(map[string]any)) != 1 || len(out.Fetches) != 0 {
		t.Errorf("anonymous zChat.init calls = %+v, want account_key only", out.Calls)
	}
	if def, _ := anonymousJS(context.Background(), (&Zendesk{Secret: testKey, AccountKey: "a"}), testRequest()); !bytes.Contains(def, []byte(`"https://dev.zopim.com/web-sdk/latest/web-sdk.js"`)) {
		t.Errorf("default SDK URL missing:\n%s", def)
	}
}

func TestZendeskWebWidgetScript(t *testing.T) {
	z := &Zendesk{Flavor: ZendeskWebWidget, Secret: testKey}
	script, err := identifyJS(context.Background(), z, testRequest(), Visitor{ID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	out := runNode(t, nodeInput{
		Script: `window.zESettings = {webWidget: {color: {theme: "#123456"}}};` + "\n" + string(script),
		Invoke: []string{"zESettings.webWidget.authenticate.chat.jwtFn"},
		Fetch:  zendeskFetch,
		Read:   []string{"zESettings"},
	})
	checkTokenFetched(t, out)
	got, _ := json.Marshal(out.Read["zESettings"])
	if want := `{"webWidget":{"authenticate":{"chat":{"jwtFn":"[function]"}},"color":{"theme":"#123456"}}}`; string(got) != want {
		t.Errorf("zESettings = %s, want %s (the page's settings kept)", got, want)
	}
	if anon, err := anonymousJS(context.Background(), z, testRequest()); anon != nil || err != nil {
		t.Errorf("Anonymous = %q, %v; want nothing", anon, err)
	}
}

func TestZendeskMessagingScript(t *testing.T) {
	z := &Zendesk{Flavor: ZendeskMessaging, Secret: testKey, KeyID: "kid-1"}
	script, err := identifyJS(context.Background(), z, testRequest(), Visitor{ID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	// zE appears only when the page's ze-snippet has loaded.
	page := string(script) + `(function(){var e=document.createElement("script");e.id="ze-snippet";e.src="https://static.zdassets.com/ekr/snippet.js?key=k";document.head.appendChild(e)})();`
	out := runNode(t, nodeInput{
		Script:       page,
		OnScriptLoad: map[string][]string{"https://static.zdassets.com/ekr/snippet.js?key=k": {"zE"}},
		Fetch:        zendeskFetch,
	})
	calls := out.calls("zE")
	if len(calls) != 1 || len(calls[0].Args) != 3 || calls[0].Args[0] != "messenger" || calls[0].Args[1] != "loginUser" || calls[0].Args[2] != "[function]" {
		t.Fatalf("zE calls = %+v", out.Calls)
	}
	checkTokenFetched(t, out)
	if anon, err := anonymousJS(context.Background(), z, testRequest()); anon != nil || err != nil {
		t.Errorf("Anonymous = %q, %v; want nothing", anon, err)
	}
}

func TestZendeskResetScripts(t *testing.T) {
	for _, tt := range []struct {
		z    *Zendesk
		stub string
		args []any
	}{
		{&Zendesk{Secret: testKey, AccountKey: "a"}, "zChat.logout", []any{}},
		{&Zendesk{Flavor: ZendeskWebWidget, Secret: testKey}, "zE", []any{"webWidget", "logout"}},
		{&Zendesk{Flavor: ZendeskMessaging, Secret: testKey, KeyID: "k"}, "zE", []any{"messenger", "logoutUser"}},
	} {
		reset, err := resetJS(tt.z, testRequest())
		if err != nil {
			t.Fatal(err)
		}
		out := runNode(t, nodeInput{Script: string(reset), Stubs: []string{tt.stub}})
		calls := out.calls(tt.stub)
		if len(calls) != 1 || len(calls[0].Args) != len(tt.args) {
			t.Errorf("%s: calls = %+v, want %s%v", tt.z.Flavor, out.Calls, tt.stub, tt.args)
			continue
		}
		for i, a := range tt.args {
			if calls[0].Args[i] != a {
				t.Errorf("%s: %s%v, want %v", tt.z.Flavor, tt.stub, calls[0].Args, tt.args)
			}
		}
		// Without the widget nothing is called and nothing throws.
		if out := runNode(t, nodeInput{Script: string(reset)}); len(out.Calls) != 0 {
			t.Errorf("%s without widget: %+v", tt.z.Flavor, out.Calls)
		}
	}
}

func TestZendeskRequestErrors(t *testing.T) {
	z := &Zendesk{Secret: testKey, AccountKey: "a"}
	if _, err := identifyJS(context.Background(), z, testRequest(), Visitor{}); !errors.Is(err, ErrNoVisitorID) {
		t.Errorf("no ID: %v", err)
	}
	if _, err := z.Token(testRequest(), Visitor{}); !errors.Is(err, ErrNoVisitorID) {
		t.Errorf("no ID: %v", err)
	}
	if _, err := z.Prepare(Setup{}); err == nil {
		t.Error("no Setup.Endpoints: want an error")
	}
	if _, err := (&Zendesk{AccountKey: "a"}).Token(testRequest(), Visitor{ID: "1"}); err == nil {
		t.Error("no Secret: Token must fail, never sign with an empty key")
	}
}
