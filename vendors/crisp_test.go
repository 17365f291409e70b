package vendors

import (
	"strings"
	"testing"
)

const crispTestWebsite = "7598bf86-9ebb-46bc-8d61-be8929bbf93d"

func TestCrispSignatureVectors(t *testing.T) {
	for _, tc := range []struct{ key, email, want string }{
		// Crisp's documented example; reproduce:
		//   printf '%s' 'john@doe.name' | openssl dgst -sha256 -hmac crisp-website-verify-secret
		{"crisp-website-verify-secret", "john@doe.name", "2647c643b8a39dcb8f4ef665ec82a2c881327c09d00f71056e951a505207b2f6"},
		// Case matters:
		//   printf '%s' 'John@Doe.name' | openssl dgst -sha256 -hmac crisp-website-verify-secret
		{"crisp-website-verify-secret", "John@Doe.name", "d99dcb0b64a98b66e1bae4bdc783b1e5830a7500383788e89a8e7a2b56402913"},
		// Non-ASCII, as UTF-8:
		//   python3 -c "import hmac,hashlib;print(hmac.new(b'test-key-not-a-secret-0123456789abcdef','Zoë@exämple.com'.encode(),hashlib.sha256).hexdigest())"
		{string(testKey), "Zoë@exämple.com", "3bde6e4f5fb0b7df25153350376d6567027964558bf5d136e7e9703421fb010b"},
		// Never trimmed or lower-cased:
		//   node -e "console.log(require('crypto').createHmac('sha256','test-key-not-a-secret-0123456789abcdef').update(' Anna@Example.com ').digest('hex'))"
		{string(testKey), " Anna@Example.com ", "3d6a43c9f1c6b8c61c0448ba61cd03e4eb20106d1e4e49ca9789ee7c5fa10b45"},
	} {
		var pooled hmacStates
		pooled.prepare(8, []byte(tc.key))
		for _, m := range []*hmacStates{{}, &pooled} {
			if got := crispSignature(m, []byte(tc.key), tc.email); got != tc.want {
				t.Errorf("crispSignature(%q) = %s, want %s", tc.email, got, tc.want)
			}
		}
	}
}

// The data carries the e-mail exactly as the site has it, and its signature
// over those bytes: a lower-cased or trimmed form is never signed.
func TestCrispVisitorData(t *testing.T) {
	c := &Crisp{WebsiteID: crispTestWebsite, VerifySecret: testKey, TokenIDKey: testIDKey}
	if _, err := c.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	d, err := c.visitorData(Visitor{ID: "12345", Email: " Anna@Example.com ", Name: "Anna", Phone: "+1 555"})
	if err != nil {
		t.Fatal(err)
	}
	want := Object{
		// printf '%s' 12345 | openssl dgst -sha256 -hmac 'test-idkey-not-a-secret-0123456789'
		{"token_id", "6714b7c137c3650e2d09e8ced639d370cf6c36cee5cf7149b5146de812727484"},
		{"email", " Anna@Example.com "},
		{"sig", "3d6a43c9f1c6b8c61c0448ba61cd03e4eb20106d1e4e49ca9789ee7c5fa10b45"},
		{"nickname", "Anna"},
		{"phone", "+1 555"},
	}
	if got, _ := AppendJS(nil, d); string(got) != string(mustJS(t, want)) {
		t.Errorf("data = %s\nwant   %s", got, mustJS(t, want))
	}
	// No TokenIDKey: no CRISP_TOKEN_ID; no e-mail: nothing to sign.
	c = &Crisp{WebsiteID: crispTestWebsite, VerifySecret: testKey}
	if _, err := c.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.visitorData(Visitor{ID: "12345", Name: "Anna"}); len(d) != 1 || d[0].Key != "nickname" {
		t.Errorf("data = %v, want the nickname alone", d)
	}
	if _, err := c.visitorData(Visitor{Email: "a@example.com"}); err != ErrNoVisitorID {
		t.Errorf("no ID: %v", err)
	}
}

func mustJS(t *testing.T, v any) []byte {
	t.Helper()
	b, err := AppendJS(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCrispPage(t *testing.T) {
	c := &Crisp{WebsiteID: crispTestWebsite, VerifySecret: testKey, TokenIDKey: testIDKey}
	if _, err := c.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	d, _ := c.visitorData(Visitor{ID: "12345", Email: "john@doe.name", Name: "John"})
	out := runWidget(t, nodeInput{Read: []string{"$crisp", "CRISP_WEBSITE_ID", "CRISP_TOKEN_ID"}}, "", mustPrepare(t, c), widgetCall{"identify", d})
	if out.Read["CRISP_WEBSITE_ID"] != crispTestWebsite || out.Read["CRISP_TOKEN_ID"] != "6714b7c137c3650e2d09e8ced639d370cf6c36cee5cf7149b5146de812727484" {
		t.Errorf("globals = %v", out.Read)
	}
	q := jsonString(t, out.Read["$crisp"])
	if want := `[["set","user:email",["john@doe.name","` + crispSignature(&hmacStates{}, testKey, "john@doe.name") + `"]],["set","user:nickname",["John"]]]`; q != want {
		t.Errorf("$crisp = %s\nwant     %s", q, want)
	}
	if len(out.Scripts) != 1 || out.Scripts[0] != "https://client.crisp.chat/l.js" {
		t.Errorf("scripts = %v", out.Scripts)
	}

	// Sign-out page: the token goes, session:reset is queued, the chatbox
	// loads anonymous.
	out = runWidget(t, nodeInput{Read: []string{"$crisp", "CRISP_TOKEN_ID"}}, `window.CRISP_TOKEN_ID="old";`, mustPrepare(t, c),
		widgetCall{"reset", nil}, widgetCall{"anonymous", nil})
	if out.Read["CRISP_TOKEN_ID"] != nil || jsonString(t, out.Read["$crisp"]) != `[["do","session:reset"]]` || len(out.Scripts) != 1 {
		t.Errorf("reset page: %v scripts %v", out.Read, out.Scripts)
	}

	// In place, another user: new token, then session:reset, then the new
	// e-mail. The same user again: no session:reset.
	d2, _ := c.visitorData(Visitor{ID: "2", Email: "b@example.com"})
	out = runWidget(t, nodeInput{Read: []string{"$crisp", "CRISP_TOKEN_ID"}}, "", mustPrepare(t, c),
		widgetCall{"identify", d}, widgetCall{"update", d2}, widgetCall{"update", d2})
	q = jsonString(t, out.Read["$crisp"])
	if strings.Count(q, "session:reset") != 1 || !strings.HasSuffix(q, `["set","user:email",["b@example.com","`+crispSignature(&hmacStates{}, testKey, "b@example.com")+`"]]]`) {
		t.Errorf("$crisp = %s", q)
	}
	if out.Read["CRISP_TOKEN_ID"] != d2[0].Value || len(out.Scripts) != 1 {
		t.Errorf("token %v scripts %v", out.Read["CRISP_TOKEN_ID"], out.Scripts)
	}
}

func TestCrispValidate(t *testing.T) {
	checkConfigErrors(t, "ok", (&Crisp{WebsiteID: crispTestWebsite, VerifySecret: testKey}).Validate(), crispName)
	checkConfigErrors(t, "ok with token", (&Crisp{WebsiteID: strings.ToUpper(crispTestWebsite), VerifySecret: testKey, TokenIDKey: testIDKey}).Validate(), crispName)
	checkConfigErrors(t, "empty", (&Crisp{}).Validate(), crispName, "WebsiteID", "VerifySecret")
	checkConfigErrors(t, "everything wrong", (&Crisp{WebsiteID: "not-a-uuid", VerifySecret: []byte("short"), TokenIDKey: []byte("x")}).Validate(),
		crispName, "WebsiteID", "VerifySecret", "TokenIDKey")
	checkConfigErrors(t, "shared", (&Crisp{WebsiteID: crispTestWebsite, VerifySecret: testKey, TokenIDKey: testKey}).Validate(), crispName, "TokenIDKey")
	checkConfigErrors(t, "empty token key", (&Crisp{WebsiteID: crispTestWebsite, VerifySecret: testKey, TokenIDKey: []byte{}}).Validate(), crispName, "TokenIDKey")
}
