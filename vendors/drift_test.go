package vendors

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Drift's documented example token (header with typ before alg) verifies
// with its documented key, both with the JWT library this package signs
// with and independently with Python's hmac (testdata/verify_jwt.py):
//
//	python3 -c "import hmac,hashlib,base64;t='<token>';a,b,s=t.split('.');
//	  print(base64.urlsafe_b64encode(hmac.new(b'your-256-bit-secret',(a+'.'+b).encode(),hashlib.sha256).digest()).rstrip(b'=').decode()==s)"
func TestDriftDocumentedToken(t *testing.T) {
	const tok = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.22H1g2b8yxmkcEY1Fhku4AhNl-M40P5Sl_B2ktSUdv8"
	key := []byte("your-256-bit-secret")
	parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return key, nil }, jwt.WithValidMethods([]string{"HS256"}))
	if err != nil {
		t.Fatalf("documented token does not verify: %v", err)
	}
	if sub, _ := parsed.Claims.GetSubject(); sub != "12345" {
		t.Errorf("sub = %q", sub)
	}
	if j := mustVerifyJWT(t, tok, key); j.Claims["sub"] != "12345" {
		t.Errorf("claims = %v", j.Claims)
	}
	if _, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return []byte("another-256-bit-secret"), nil }); err == nil {
		t.Error("the token verifies under another key")
	}
}

func TestDriftSignVector(t *testing.T) {
	// node -e "const c=require('crypto');const b=s=>Buffer.from(s).toString('base64url');
	//   const h=b(JSON.stringify({alg:'HS256',typ:'JWT'})),p=b(JSON.stringify({exp:1700000300,sub:'12345'}));
	//   console.log(h+'.'+p+'.'+c.createHmac('sha256','your-256-bit-secret').update(h+'.'+p).digest('base64url'))"
	const want = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwMDAzMDAsInN1YiI6IjEyMzQ1In0.xvBJQM7uqZD47vqla_4DprVWRYBebOh95qeeZrUqaVk"
	got, err := driftSign([]byte("your-256-bit-secret"), "12345", time.Unix(1700000300, 0))
	if err != nil || got != want {
		t.Errorf("driftSign = %s, %v\nwant %s", got, err, want)
	}
}

func TestDriftPage(t *testing.T) {
	dr := &Drift{EmbedID: "abc123xyz", SigningKey: testKey}
	if _, err := dr.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	d, err := dr.visitorData(Visitor{ID: "12345", Name: "Ann", Email: "ann@example.com"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	j := mustVerifyJWT(t, d[2].Value.(string), testKey)
	if !equalJSONish(j.Claims, map[string]any{"sub": "12345", "exp": float64(testNow.Add(5 * time.Minute).Unix())}) {
		t.Errorf("claims = %v", j.Claims)
	}
	out := runWidget(t, nodeInput{Read: []string{"drift"}}, "", mustPrepare(t, dr), widgetCall{"identify", d})
	q := jsonString(t, out.Read["drift"])
	want := `[["identify","12345",{"email":"ann@example.com","name":"Ann"},{"userJwt":"` + d[2].Value.(string) + `"}]]`
	if q != want {
		t.Errorf("drift queue = %s\nwant %s", q, want)
	}
	if len(out.Scripts) != 1 || !regexpMatch(`^https://js\.driftt\.com/include/[0-9]+/abc123xyz\.js$`, out.Scripts[0]) {
		t.Errorf("scripts = %v", out.Scripts)
	}

	// Sign-out page: reset queued, the widget loaded once; in place: a new
	// identify.
	d2, _ := dr.visitorData(Visitor{ID: "7"}, testNow)
	out = runWidget(t, nodeInput{Read: []string{"drift"}}, "", mustPrepare(t, dr),
		widgetCall{"reset", nil}, widgetCall{"anonymous", nil}, widgetCall{"update", d2})
	q = jsonString(t, out.Read["drift"])
	if want := `[["reset"],["identify","7",{},{"userJwt":"` + d2[2].Value.(string) + `"}]]`; q != want {
		t.Errorf("drift queue = %s\nwant %s", q, want)
	}
	if len(out.Scripts) != 1 {
		t.Errorf("scripts = %v", out.Scripts)
	}
}

func TestDriftValidate(t *testing.T) {
	checkConfigErrors(t, "ok", (&Drift{EmbedID: "abc", SigningKey: testKey, TokenTTL: time.Minute}).Validate(), driftName)
	checkConfigErrors(t, "empty", (&Drift{}).Validate(), driftName, "EmbedID", "SigningKey")
	checkConfigErrors(t, "wrong", (&Drift{EmbedID: "a.b", SigningKey: []byte("x"), TokenTTL: time.Second}).Validate(), driftName, "EmbedID", "SigningKey", "TokenTTL")
	checkConfigErrors(t, "long", (&Drift{EmbedID: "a", SigningKey: testKey, TokenTTL: 2 * time.Hour}).Validate(), driftName, "TokenTTL")
	checkConfigErrors(t, "negative", (&Drift{EmbedID: "a", SigningKey: testKey, TokenTTL: -1}).Validate(), driftName, "TokenTTL")
}
