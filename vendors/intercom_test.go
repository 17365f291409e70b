package vendors

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestIntercomUserHashVectors(t *testing.T) {
	for _, tc := range []struct{ key, userID, email, want string }{
		// Intercom's own test (intercom-rails); reproduce:
		//   printf '%s' baz | openssl dgst -sha256 -hmac bar
		{"bar", "baz", "", "c8acc43edc084edb8207a50320ba4ec5d113686cf8050274a305480c98512e45"},
		//   printf '%s' 1234 | openssl dgst -sha256 -hmac abcdefgh
		{"abcdefgh", "1234", "ignored@example.com", "3f5ed07739c3217c03afaff4ecf40a6974ee8e0523e6c9914236b4251504db23"},
		// Without a user_id, the e-mail is signed:
		//   printf '%s' 'one@example.com' | openssl dgst -sha256 -hmac 'test-key-not-a-secret-0123456789abcdef'
		{string(testKey), "", "one@example.com", "1bd1c119d32ba4e645d105785ad4c685debcbee6552bd6315d298bbc1ab03623"},
		// UTF-8 bytes as given:
		//   node -e "console.log(require('crypto').createHmac('sha256','test-key-not-a-secret-0123456789abcdef').update('Анна-7').digest('hex'))"
		{string(testKey), "Анна-7", "", "9a46058db5d05d80e4cc57fd8a6015831809eddbaaadbbca63029ada4caf1172"},
	} {
		var pooled hmacStates
		pooled.prepare(8, []byte(tc.key))
		for _, c := range []*hmacStates{{}, &pooled} {
			if got := c.userHashHex([]byte(tc.key), tc.userID, tc.email); got != tc.want {
				t.Errorf("user_hash(%q, %q, %q) = %s, want %s", tc.key, tc.userID, tc.email, got, tc.want)
			}
		}
	}
}

func TestIntercomJWTVector(t *testing.T) {
	// Intercom's documented example; reproduce:
	//   node -e "const c=require('crypto');const b=s=>Buffer.from(s).toString('base64url');
	//     const h=b(JSON.stringify({alg:'HS256',typ:'JWT'})),p=b(JSON.stringify({user_id:'1234'}));
	//     console.log(h+'.'+p+'.'+c.createHmac('sha256','super-secret').update(h+'.'+p).digest('base64url'))"
	const want = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoiMTIzNCJ9.WaDqWDjuvuiRC1_EIxEqMFgbj9Iwtg7cJj2OyWSL7AM"
	got, err := intercomSign([]byte("super-secret"), jwt.MapClaims{"user_id": "1234"})
	if err != nil || got != want {
		t.Errorf("intercomSign = %s, %v\nwant %s", got, err, want)
	}
}

func TestIntercomVisitorJWT(t *testing.T) {
	ic := &Intercom{AppID: "abc123", Secret: testKey, JWTTTL: 10 * time.Minute}
	if _, err := ic.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	v := Visitor{ID: "12345", Name: "Анна", Email: "anna@example.com", Phone: "+1", Attributes: map[string]string{"plan": "gold"}}
	d, err := ic.visitorData(v, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 1 || d[0].Key != "intercom_user_jwt" {
		t.Fatalf("data = %v, want intercom_user_jwt alone: signed fields stay out of the plain settings", d)
	}
	// Verified by Python's hmac (testdata/verify_jwt.py), not by our JWT library.
	j := mustVerifyJWT(t, d[0].Value.(string), testKey)
	if j.Header["alg"] != "HS256" || j.Header["typ"] != "JWT" {
		t.Errorf("header = %v", j.Header)
	}
	want := map[string]any{"user_id": "12345", "email": "anna@example.com", "name": "Анна", "exp": float64(testNow.Add(10 * time.Minute).Unix())}
	if !equalJSONish(j.Claims, want) {
		t.Errorf("claims = %v, want %v", j.Claims, want)
	}
	// The default lifetime is an hour.
	ic.JWTTTL = 0
	d, _ = ic.visitorData(Visitor{ID: "7"}, testNow)
	if c := mustVerifyJWT(t, d[0].Value.(string), testKey).Claims; c["exp"] != float64(testNow.Add(time.Hour).Unix()) || len(c) != 2 {
		t.Errorf("claims = %v, want user_id and exp one hour on", c)
	}
	if _, err := ic.visitorData(Visitor{Email: "x@example.com"}, testNow); err != ErrNoVisitorID {
		t.Errorf("no ID: %v", err)
	}
}

func TestIntercomIdentifyJWTPage(t *testing.T) {
	ic := &Intercom{AppID: "abc123", Secret: testKey, Region: IntercomEU}
	if _, err := ic.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	d, err := ic.visitorData(Visitor{ID: "12345", Email: "anna@example.com"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	out := runWidget(t, nodeInput{Read: []string{"intercomSettings"}}, "", mustPrepare(t, ic), widgetCall{"identify", d})
	s := readMap(out, "intercomSettings")
	want := map[string]any{"app_id": "abc123", "api_base": "https://api-iam.eu.intercom.io", "intercom_user_jwt": d[0].Value}
	if !equalJSONish(s, want) {
		t.Errorf("intercomSettings = %v, want %v", s, want)
	}
	if len(out.Scripts) != 1 || out.Scripts[0] != "https://widget.intercom.io/widget/abc123" {
		t.Errorf("scripts = %v", out.Scripts)
	}
}

func TestIntercomIdentifyUserHashPage(t *testing.T) {
	ic := &Intercom{AppID: "abc123", Secret: testKey, Mode: IntercomUserHash}
	if _, err := ic.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	d, err := ic.visitorData(Visitor{ID: "12345", Name: "Ann", Email: "ann@example.com"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	out := runWidget(t, nodeInput{Read: []string{"intercomSettings"}}, "", mustPrepare(t, ic), widgetCall{"identify", d})
	want := map[string]any{
		"app_id": "abc123", "api_base": "https://api-iam.intercom.io",
		"user_id": "12345", "name": "Ann", "email": "ann@example.com",
		"user_hash": hcHash12345, // printf '%s' 12345 | openssl dgst -sha256 -hmac 'test-key-not-a-secret-0123456789abcdef'
	}
	if s := readMap(out, "intercomSettings"); !equalJSONish(s, want) {
		t.Errorf("intercomSettings = %v, want %v", s, want)
	}
}

func TestIntercomResetAndUpdate(t *testing.T) {
	ic := &Intercom{AppID: "abc123", Secret: testKey, Region: IntercomAU}
	if _, err := ic.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	anon := map[string]any{"app_id": "abc123", "api_base": "https://api-iam.au.intercom.io"}

	// A sign-out page: reset then the anonymous Messenger. Before the
	// Messenger loads, shutdown and boot wait in its queue.
	out := runWidget(t, nodeInput{Read: []string{"Intercom", "intercomSettings"}}, "", mustPrepare(t, ic),
		widgetCall{"reset", nil}, widgetCall{"anonymous", nil})
	q, _ := out.Read["Intercom"].([]any)
	if len(q) != 2 || q[0].([]any)[0] != "shutdown" || q[1].([]any)[0] != "boot" || !equalJSONish(q[1].([]any)[1].(map[string]any), anon) {
		t.Errorf("queue = %v, want shutdown then boot %v", q, anon)
	}
	if s := readMap(out, "intercomSettings"); !equalJSONish(s, anon) {
		t.Errorf("intercomSettings = %v", s)
	}
	if len(out.Scripts) != 1 {
		t.Errorf("scripts = %v, want the Messenger once", out.Scripts)
	}

	// A running Messenger switching user in place: shutdown, then boot with
	// the new identity.
	d, _ := ic.visitorData(Visitor{ID: "9"}, testNow)
	out = runWidget(t, nodeInput{Stubs: []string{"Intercom"}}, "", mustPrepare(t, ic), widgetCall{"update", d})
	calls := out.calls("Intercom")
	if len(calls) != 2 || calls[0].Args[0] != "shutdown" || calls[1].Args[0] != "boot" ||
		calls[1].Args[1].(map[string]any)["intercom_user_jwt"] != d[0].Value {
		t.Errorf("calls = %+v", calls)
	}
	if len(out.Scripts) != 0 {
		t.Errorf("scripts = %v, want none: the Messenger is running", out.Scripts)
	}
	// Identify on a page whose Messenger already runs updates it, as
	// Intercom's snippet does.
	out = runWidget(t, nodeInput{Stubs: []string{"Intercom"}}, "", mustPrepare(t, ic), widgetCall{"identify", d})
	if calls := out.calls("Intercom"); len(calls) != 1 || calls[0].Args[0] != "update" {
		t.Errorf("calls = %+v", calls)
	}
}

// A fresh JWT for the visitor the Messenger already runs for is applied
// with Intercom('update', settings), as Intercom documents, not with a
// shutdown (which would close the visitor's open Messenger); another
// visitor, or an unreadable current identity, still gets shutdown and boot.
func TestIntercomUpdateFreshJWTSameUser(t *testing.T) {
	for _, mode := range []IntercomMode{IntercomJWT, IntercomUserHash} {
		ic := &Intercom{AppID: "abc123", Secret: testKey, Mode: mode}
		if _, err := ic.Prepare(testSetup(testRequest())); err != nil {
			t.Fatal(err)
		}
		settings := func(v Visitor, at time.Time) (Object, string) {
			d, err := ic.visitorData(v, at)
			if err != nil {
				t.Fatal(err)
			}
			o := Object{{"app_id", "abc123"}, {"api_base", "https://api-iam.intercom.io"}}
			o = append(o, d...)
			return d, "window.intercomSettings=" + string(mustJS(t, o)) + ";"
		}
		ann := Visitor{ID: "Анна-9", Email: "ann@example.com"}
		_, running := settings(ann, testNow)
		fresh, _ := settings(ann, testNow.Add(45*time.Minute))
		out := runWidget(t, nodeInput{Stubs: []string{"Intercom"}, Read: []string{"intercomSettings"}}, running, mustPrepare(t, ic), widgetCall{"update", fresh})
		calls := out.calls("Intercom")
		if len(calls) != 1 || calls[0].Args[0] != "update" {
			t.Errorf("%v, same visitor: calls = %+v, want one update", mode, calls)
		} else if got := calls[0].Args[1].(map[string]any); got[fresh[0].Key] != fresh[0].Value {
			t.Errorf("%v, same visitor: update with %v, want the fresh %s", mode, got, fresh[0].Key)
		}
		if s := readMap(out, "intercomSettings"); s[fresh[0].Key] != fresh[0].Value {
			t.Errorf("%v: intercomSettings = %v, want the fresh settings", mode, s)
		}
		// Another visitor: shutdown, then boot.
		bob, _ := settings(Visitor{ID: "Анна-8"}, testNow)
		out = runWidget(t, nodeInput{Stubs: []string{"Intercom"}}, running, mustPrepare(t, ic), widgetCall{"update", bob})
		if calls := out.calls("Intercom"); len(calls) != 2 || calls[0].Args[0] != "shutdown" || calls[1].Args[0] != "boot" {
			t.Errorf("%v, another visitor: calls = %+v, want shutdown then boot", mode, calls)
		}
		// A current identity that cannot be read: shutdown, then boot.
		out = runWidget(t, nodeInput{Stubs: []string{"Intercom"}}, `window.intercomSettings={intercom_user_jwt:"x.%%%.y"};`, mustPrepare(t, ic), widgetCall{"update", fresh})
		if calls := out.calls("Intercom"); len(calls) != 2 || calls[0].Args[0] != "shutdown" {
			t.Errorf("%v, unreadable current identity: calls = %+v, want shutdown then boot", mode, calls)
		}
	}
}

func TestIntercomValidate(t *testing.T) {
	checkConfigErrors(t, "ok", (&Intercom{AppID: "a1", Secret: testKey, Region: IntercomAU, Mode: IntercomUserHash, JWTTTL: time.Hour}).Validate(), intercomName)
	checkConfigErrors(t, "empty", (&Intercom{}).Validate(), intercomName, "AppID", "Secret")
	checkConfigErrors(t, "everything wrong", (&Intercom{AppID: "a b", Secret: []byte("short"), Region: 3, Mode: -1, JWTTTL: time.Second}).Validate(),
		intercomName, "AppID", "Secret", "Region", "Mode", "JWTTTL")
	checkConfigErrors(t, "long ttl", (&Intercom{AppID: "a", Secret: testKey, JWTTTL: 25 * time.Hour}).Validate(), intercomName, "JWTTTL")
	checkConfigErrors(t, "negative ttl", (&Intercom{AppID: "a", Secret: testKey, JWTTTL: -time.Hour}).Validate(), intercomName, "JWTTTL")
}
