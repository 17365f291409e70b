package vendors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

// webimObject is window.webim_visitor as a browser or Webim reads it.
type webimObject struct {
	Fields  map[string]string `json:"fields"`
	Expires int64             `json:"expires"`
	Hash    string            `json:"hash"`
}

// parseWebimScript returns the object an Identify script's data holds for
// window.webim_visitor, after checking that its code assigns it first.
func parseWebimScript(t *testing.T, script []byte) webimObject {
	t.Helper()
	if !bytes.HasPrefix(script, []byte("(function(d,w){if(d){w.webim_visitor=d.visitor;")) {
		t.Fatalf("script does not start by setting webim_visitor:\n%s", script)
	}
	var data struct{ Visitor webimObject }
	if err := json.Unmarshal(scriptData(t, script), &data); err != nil {
		t.Fatalf("the data is not a JSON object: %v\n%s", err, script)
	}
	return data.Visitor
}

// parseWebimJSON parses VisitorJSON's output.
func parseWebimJSON(t *testing.T, data []byte) webimObject {
	t.Helper()
	var o webimObject
	if err := json.Unmarshal(data, &o); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, data)
	}
	return o
}

// The public vector from Webim's knowledge base (VENDORS.md), reproduced with:
//
//	printf '%s' 'Евгенийabc@webim.ru12345+781238553371481195621' | openssl dgst -sha256 -hmac e64e35642555f3ecd64ae7dbb600dca8
//	SHA2-256(stdin)= 07ef16b821f9552a8b3118416ed9ed6278d3a8ff93751d157c88edc1895cd86f
//
// The key is the documentation's example key, not a real one.
var (
	webimPublicKey     = []byte("e64e35642555f3ecd64ae7dbb600dca8")
	webimPublicVisitor = Visitor{ID: "12345", Name: "Евгений", Phone: "+78123855337", Email: "abc@webim.ru"}
	webimPublicExpires = int64(1481195621)
)

// webimPublicRequest signs at a time that gives the vector's expires with the
// default TTL of one hour.
func webimPublicRequest() Request {
	r := testRequest()
	r.Now = time.Unix(webimPublicExpires-3600, 0)
	return r
}

func TestWebimPublicVector(t *testing.T) {
	w := &Webim{PrivateKey: webimPublicKey, RawID: true, DisableRefresh: true}
	data, err := w.VisitorJSON(webimPublicRequest(), webimPublicVisitor)
	if err != nil {
		t.Fatal(err)
	}
	o := parseWebimJSON(t, data)
	want := webimObject{
		Fields:  map[string]string{"id": "12345", "display_name": "Евгений", "phone": "+78123855337", "email": "abc@webim.ru"},
		Expires: webimPublicExpires,
		Hash:    "07ef16b821f9552a8b3118416ed9ed6278d3a8ff93751d157c88edc1895cd86f",
	}
	if !equalWebim(o, want) {
		t.Errorf("object = %+v\nwant     %+v", o, want)
	}
}

func equalWebim(a, b webimObject) bool {
	if a.Expires != b.Expires || a.Hash != b.Hash || len(a.Fields) != len(b.Fields) {
		return false
	}
	for k, v := range a.Fields {
		if b.Fields[k] != v {
			return false
		}
	}
	return true
}

// TestWebimHashVariants checks the charsets and plain hashes against vectors
// made with openssl and iconv, and cross-checked with python3, over the
// public vector's signed string and key:
//
//	S='Евгенийabc@webim.ru12345+781238553371481195621'; K=e64e35642555f3ecd64ae7dbb600dca8
func TestWebimHashVariants(t *testing.T) {
	tests := []struct {
		name    string
		hash    WebimHash
		charset WebimCharset
		want    string
	}{
		// printf '%s' "$S" | iconv -f utf-8 -t cp1251 | openssl dgst -sha256 -hmac $K
		// python3 -c "import hmac,hashlib;print(hmac.new(b'$K','$S'.encode('cp1251'),hashlib.sha256).hexdigest())"
		{"hmac cp1251", WebimHMACSHA256, WebimCP1251, "d8e8b1634e1ecc56366843e0feef61bcce95f42a2e48ff40719d84fbab3ea841"},
		// printf '%s' "$S" | iconv -f utf-8 -t koi8-r | openssl dgst -sha256 -hmac $K
		// python3 -c "import hmac,hashlib;print(hmac.new(b'$K','$S'.encode('koi8_r'),hashlib.sha256).hexdigest())"
		{"hmac koi8-r", WebimHMACSHA256, WebimKOI8R, "ccf967ce686755e5fdd317ea4234c6bb1f7d58d368e8fe6a46a0d637e44e8776"},
		// printf '%s%s' "$S" "$K" | openssl dgst -sha256
		// python3 -c "import hashlib;print(hashlib.sha256(('$S'+'$K').encode()).hexdigest())"
		{"sha256 utf-8", WebimSHA256, WebimUTF8, "f859287203804f8f25123b3ea651338ac73cef970bec1066d061d75786c0dcb7"},
		// printf '%s%s' "$S" "$K" | openssl dgst -sha512
		{"sha512 utf-8", WebimSHA512, WebimUTF8, "4ea919daf569bfe27144e33f84b58fcccf98379107c3024db7d0514963775cd600a603cb4dbb48e51a50825df62287b4eb52073c7a86b46b38c6fddcc6c8afbb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &Webim{PrivateKey: webimPublicKey, RawID: true, Hash: tt.hash, Charset: tt.charset}
			data, err := w.VisitorJSON(webimPublicRequest(), webimPublicVisitor)
			if err != nil {
				t.Fatal(err)
			}
			var o webimObject
			if err := json.Unmarshal(data, &o); err != nil {
				t.Fatal(err)
			}
			if o.Hash != tt.want {
				t.Errorf("hash = %s, want %s", o.Hash, tt.want)
			}
			if o.Fields["display_name"] != "Евгений" {
				t.Errorf("display_name = %q: the charset must change only what is hashed", o.Fields["display_name"])
			}
		})
	}
}

// TestWebimCharsetNormalizes checks that a character the account's charset
// cannot hold becomes '?' both in the value sent and in what is signed, so
// that the visitor keeps the widget and the identity, and that the page is
// noted. The page's expires is bucketed (testNow is 20 s into its minute,
// so 1700003580; see Webim). The vectors, with id "u" + HMAC-SHA256(testIDKey, "7") and login
// "[[7]]", were made with
//
//	python3 -c "
//	import hmac,hashlib
//	i='u'+hmac.new(b'test-idkey-not-a-secret-0123456789',b'7',hashlib.sha256).hexdigest()
//	k=b'test-key-not-a-secret-0123456789abcdef'
//	for cs,name in (('cp1251','Анна ?'),('koi8_r','?жак ?')):
//	  print(cs, hmac.new(k,(name+i+'[[7]]'+'1700003580').encode(cs),hashlib.sha256).hexdigest())"
//
// and cross-checked with iconv and openssl:
//
//	I=u$(printf '%s' 7 | openssl dgst -sha256 -hmac test-idkey-not-a-secret-0123456789 | awk '{print $2}')
//	printf '%s' "Анна ?${I}[[7]]1700003580" | iconv -f utf-8 -t cp1251 | openssl dgst -sha256 -hmac test-key-not-a-secret-0123456789abcdef
//	printf '%s' "?жак ?${I}[[7]]1700003580" | iconv -f utf-8 -t koi8-r | openssl dgst -sha256 -hmac test-key-not-a-secret-0123456789abcdef
func TestWebimCharsetNormalizes(t *testing.T) {
	for _, tt := range []struct {
		cs         WebimCharset
		name, sent string
		hash       string
	}{
		{WebimCP1251, "Анна 😀", "Анна ?", "76c97840588b09f3b0f1d00322a25ae5221859798ce1e1e3cbd39089dc99b35d"},
		// KOI8-R has no Ukrainian letters: Ї is replaced too.
		{WebimKOI8R, "Їжак 😀", "?жак ?", "dae27b7a6cb851a1abaded1bce8f77420e743b905b52b9971bc86712d0f6a67b"},
	} {
		w := &Webim{PrivateKey: testKey, IDKey: testIDKey, Charset: tt.cs, DisableRefresh: true}
		notes := &noteRecorder{}
		r := testRequest()
		r.Notes = notes
		script, err := identifyJS(context.Background(), w, r, Visitor{ID: "7", Name: tt.name})
		if err != nil {
			t.Fatalf("%s: %v", tt.cs, err)
		}
		o := parseWebimScript(t, script)
		if o.Fields["display_name"] != tt.sent || o.Hash != tt.hash {
			t.Errorf("%s: display_name %q hash %s, want %q and %s", tt.cs, o.Fields["display_name"], o.Hash, tt.sent, tt.hash)
		}
		if got := notes.String(); got != "webim:charset" {
			t.Errorf("%s: notes %q, want webim:charset", tt.cs, got)
		}
	}
	// Nothing to replace, nothing noted.
	w := &Webim{PrivateKey: testKey, IDKey: testIDKey, Charset: WebimCP1251, DisableRefresh: true}
	notes := &noteRecorder{}
	r := testRequest()
	r.Notes = notes
	if _, err := identifyJS(context.Background(), w, r, Visitor{ID: "7", Name: "Анна"}); err != nil || notes.String() != "" {
		t.Errorf("a name cp1251 holds: err %v, notes %q", err, notes)
	}
}

// TestWebimOpaqueID checks the default id, "u" and the hex HMAC, against
//
//	printf '%s' 12345 | openssl dgst -sha256 -hmac 'test-key-not-a-secret-0123456789abcdef'
//	SHA2-256(stdin)= 19c69b9239f5630e5404b696e6e8104d5d6d68564ea73aedbd417eab8fd71103
func TestWebimOpaqueID(t *testing.T) {
	w := &Webim{PrivateKey: testKey, IDKey: testKey, DisableRefresh: true}
	data, err := w.VisitorJSON(testRequest(), Visitor{ID: "12345"})
	if err != nil {
		t.Fatal(err)
	}
	var o webimObject
	if err := json.Unmarshal(data, &o); err != nil {
		t.Fatal(err)
	}
	if got, want := o.Fields["id"], "u19c69b9239f5630e5404b696e6e8104d5d6d68564ea73aedbd417eab8fd71103"; got != want {
		t.Errorf("id = %s, want %s", got, want)
	}
	if o.Fields["login"] != "[[12345]]" {
		t.Errorf("login = %q, want the raw user id, wrapped, when the app sets no Login", o.Fields["login"])
	}

	data, _ = w.VisitorJSON(testRequest(), Visitor{ID: "12345", Login: "an[n]a"})
	_ = json.Unmarshal(data, &o)
	if o.Fields["login"] != "[[an(n)a]]" {
		t.Errorf("login = %q, want the app's Login, wrapped, its own brackets turned round", o.Fields["login"])
	}

	raw := &Webim{PrivateKey: testKey, RawID: true}
	data, _ = raw.VisitorJSON(testRequest(), Visitor{ID: "12345"})
	o = webimObject{}
	_ = json.Unmarshal(data, &o)
	if o.Fields["id"] != "12345" || o.Fields["login"] != "" {
		t.Errorf("RawID fields = %v, want id 12345 and no login", o.Fields)
	}
}

// TestWebimSortOrderVector signs every field, with an opaque id and expires,
// and checks the hash against python3, which sorts the fields itself. The
// id is the prefix "u" and the hex HMAC, login is wrapped in "[[" and "]]",
// and profile_url, which ends in a digit, gets "#" (see webimGuardEnd):
//
//	python3 -c "
//	import hmac,hashlib
//	idk=b'test-idkey-not-a-secret-0123456789'
//	key=b'test-key-not-a-secret-0123456789abcdef'
//	i='u'+hmac.new(idk,b'12345',hashlib.sha256).hexdigest()
//	f={'id':i,'display_name':'Анна Петрова','email':'anna@example.com','phone':'+79990001122','login':'[[anna]]',
//	   'avatar_url':'https://example.com/a.png','profile_url':'https://example.com/u/12345#','comment':'VIP','info':'plan: gold'}
//	s=''.join(f[k] for k in sorted(f))+str(1700000000+1800)
//	print(i); print(hmac.new(key,s.encode(),hashlib.sha256).hexdigest())"
//
// which prints
//
//	u6714b7c137c3650e2d09e8ced639d370cf6c36cee5cf7149b5146de812727484
//	8e19a3aa4931e4c05181b02cdbf3a2da51554c79b908abd6a2db2f8ea9ba0218
func TestWebimSortOrderVector(t *testing.T) {
	w := &Webim{
		PrivateKey:     testKey,
		IDKey:          testIDKey,
		TTL:            30 * time.Minute,
		Comment:        func(Visitor) string { return "VIP" },
		Info:           func(v Visitor) string { return "plan: " + v.Attributes["plan"] },
		DisableRefresh: true,
	}
	v := Visitor{
		ID: "12345", Name: "Анна Петрова", Email: "anna@example.com", Phone: "+79990001122",
		Login: "anna", AvatarURL: "https://example.com/a.png", ProfileURL: "https://example.com/u/12345",
		Company:    "not a Webim field",
		Attributes: map[string]string{"plan": "gold"},
	}
	data, err := w.VisitorJSON(testRequest(), v)
	if err != nil {
		t.Fatal(err)
	}
	o := parseWebimJSON(t, data)
	want := webimObject{
		Fields: map[string]string{
			"id":           "u6714b7c137c3650e2d09e8ced639d370cf6c36cee5cf7149b5146de812727484",
			"display_name": "Анна Петрова", "email": "anna@example.com", "phone": "+79990001122",
			"login": "[[anna]]", "avatar_url": "https://example.com/a.png",
			"profile_url": "https://example.com/u/12345#", "comment": "VIP", "info": "plan: gold",
		},
		Expires: 1700001800,
		Hash:    "8e19a3aa4931e4c05181b02cdbf3a2da51554c79b908abd6a2db2f8ea9ba0218",
	}
	if !equalWebim(o, want) {
		t.Errorf("object = %+v\nwant     %+v", o, want)
	}
	// Fields are written in signing order too, which makes the page readable.
	keys := []string{"avatar_url", "comment", "display_name", "email", "id", "info", "login", "phone", "profile_url"}
	last := -1
	for _, k := range keys {
		i := bytes.Index(data, []byte(`"`+k+`":`))
		if i < last {
			t.Errorf("field %s is written out of order", k)
		}
		last = i
	}
}

// TestWebimSeparatorAttack shows the forgery the scheme allows with raw ids
// and that opaque ids close it, with the exhaustive re-cut search.
func TestWebimSeparatorAttack(t *testing.T) {
	const expires = 1700003600
	victim := []webimField{{"id", "12345"}}
	forged := []webimField{{"email", "1"}, {"id", "2345"}}
	if webimSignedString(victim, expires) != webimSignedString(forged, expires) {
		t.Fatal("the raw-id forgery no longer signs the same string; update the godoc of RawID")
	}
	digits := func(s string) bool { return allDigits(s) }
	if r, ok := findWebimRecut(webimSignedString(victim, expires), recutGoal{
		keys: webimDocumentedKeys, id: "12345", expires: expires, idEnds: endsOf(digits), loginEnds: endsOf(digits),
	}); !ok || r.why != "id" {
		t.Errorf("raw ids: the search found %v, want a different id", r)
	}

	w := &Webim{PrivateKey: testKey, IDKey: testIDKey}
	for _, id := range []string{"12345", "2345", "1234"} {
		fs, _, err := w.webimFields(Visitor{ID: id})
		if err != nil {
			t.Fatal(err)
		}
		fields := fs.list()
		signed := webimSignedString(fields, expires)
		if r, ok := findWebimRecut(signed, webimGoal(fields, expires)); ok {
			t.Errorf("opaque id of %s: %s re-cuts to %v", id, signed, r)
		}
	}
}

func fieldValue(o []webimField, key string) string {
	for _, f := range o {
		if f.key == key {
			return f.value
		}
	}
	return ""
}

func TestWebimExpiresAndOmitsEmpty(t *testing.T) {
	for _, tt := range []struct {
		ttl  time.Duration
		want int64
	}{{0, 1700000000 + 3600}, {10 * time.Minute, 1700000000 + 600}} {
		w := &Webim{PrivateKey: testKey, IDKey: testIDKey, TTL: tt.ttl}
		data, err := w.VisitorJSON(testRequest(), Visitor{ID: "1", Name: "", Email: "e@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		var o webimObject
		_ = json.Unmarshal(data, &o)
		if o.Expires != tt.want {
			t.Errorf("TTL %v: expires = %d, want %d", tt.ttl, o.Expires, tt.want)
		}
		for _, k := range []string{"display_name", "phone", "avatar_url", "profile_url", "comment", "info"} {
			if _, ok := o.Fields[k]; ok {
				t.Errorf("empty field %s was sent", k)
			}
		}
	}
}

func TestWebimRequestErrors(t *testing.T) {
	w := &Webim{PrivateKey: testKey, IDKey: testIDKey}
	if _, err := identifyJS(context.Background(), w, testRequest(), Visitor{Name: "no id"}); !errors.Is(err, ErrNoVisitorID) {
		t.Errorf("no ID: err = %v, want ErrNoVisitorID", err)
	}
	if _, err := w.Prepare(Setup{}); err == nil {
		t.Error("refresh enabled without Setup.Endpoints: want an error")
	}
	bad := &Webim{IDKey: testIDKey}
	if _, err := identifyJS(context.Background(), bad, testRequest(), Visitor{ID: "1"}); err == nil {
		t.Error("no PrivateKey: Identify must fail, never sign with an empty key")
	}
}

func TestWebimLoader(t *testing.T) {
	ctx := context.Background()
	w := &Webim{PrivateKey: testKey, IDKey: testIDKey, Account: "demo"}
	script, err := identifyJS(ctx, w, testRequest(), Visitor{ID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	settings := `w.webim = {"accountName":"demo","domain":"demo.webim.ru","location":"default"};`
	iSettings := bytes.Index(script, []byte(settings))
	iLoader := bytes.Index(script, []byte(`"https://demo.webim.ru/js/button.js"`))
	iVisitor := bytes.Index(script, []byte("w.webim_visitor=d.visitor"))
	if iSettings < 0 || iLoader < 0 || !(iVisitor < iSettings && iSettings < iLoader) {
		t.Errorf("want the identity, then the settings, then button.js:\n%s", script)
	}

	anon, err := anonymousJS(ctx, w, testRequest())
	if err != nil || !bytes.Contains(anon, []byte(settings)) {
		t.Errorf("Anonymous = %s, %v; want the loader", anon, err)
	}
	// The same function as Identify, run with d null: the loader alone.
	out := runNode(t, nodeInput{Script: string(anon), Read: []string{"webim_visitor", "webim"}, FireTimers: true})
	if out.Read["webim_visitor"] != nil || out.Read["webim"] == nil || len(out.Fetches) != 0 || len(out.Scripts) != 1 {
		t.Errorf("anonymous page: %+v; want the settings and button.js only, no identity, no refresh", out)
	}

	custom := &Webim{PrivateKey: testKey, IDKey: testIDKey, Account: "demo", Domain: "chat.example.com", Location: "shop", LoaderURL: "/static/button.js"}
	anon, _ = anonymousJS(ctx, custom, testRequest())
	if !bytes.Contains(anon, []byte(`{"accountName":"demo","domain":"chat.example.com","location":"shop"}`)) ||
		!bytes.Contains(anon, []byte(`"/static/button.js"`)) {
		t.Errorf("custom loader:\n%s", anon)
	}

	none := &Webim{PrivateKey: testKey, IDKey: testIDKey}
	if anon, err := anonymousJS(ctx, none, testRequest()); anon != nil || err != nil {
		t.Errorf("without a loader Anonymous = %q, %v; want nil, nil", anon, err)
	}
}

func TestWebimProvidedVisitorURL(t *testing.T) {
	w := &Webim{PrivateKey: webimPublicKey, RawID: true}
	r := webimPublicRequest()
	link, err := w.ProvidedVisitorURL(r, webimPublicVisitor, "demo", &WebimStartPage{Title: "Главная страница", URL: "https://example.com"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "https" || u.Host != "demo.webim.ru" || u.Path != "/webim/client.php" {
		t.Errorf("link %s: want https://demo.webim.ru/webim/client.php", link)
	}
	var o webimObject
	if err := json.Unmarshal([]byte(u.Query().Get("provided-visitor")), &o); err != nil {
		t.Fatalf("provided-visitor is not JSON: %v", err)
	}
	if o.Hash != "07ef16b821f9552a8b3118416ed9ed6278d3a8ff93751d157c88edc1895cd86f" || o.Fields["display_name"] != "Евгений" {
		t.Errorf("provided-visitor = %+v, want the public vector's object", o)
	}
	var page map[string]string
	if err := json.Unmarshal([]byte(u.Query().Get("start-page")), &page); err != nil {
		t.Fatalf("start-page is not JSON: %v", err)
	}
	if page["title"] != "Главная страница" || page["url"] != "https://example.com" || len(page) != 2 {
		t.Errorf("start-page = %v", page)
	}

	if link, _ := w.ProvidedVisitorURL(r, webimPublicVisitor, "demo", nil); strings.Contains(link, "start-page") {
		t.Errorf("no start page: %s", link)
	}
	for _, account := range []string{"", "evil.com/x?", "a b"} {
		if _, err := w.ProvidedVisitorURL(r, webimPublicVisitor, account, nil); err == nil {
			t.Errorf("account %q accepted", account)
		}
	}
}

func TestWebimVisitorJSONForMobile(t *testing.T) {
	w := &Webim{PrivateKey: webimPublicKey, RawID: true}
	data, err := w.VisitorJSON(webimPublicRequest(), webimPublicVisitor)
	if err != nil {
		t.Fatal(err)
	}
	var o webimObject
	if err := json.Unmarshal(data, &o); err != nil {
		t.Fatal(err)
	}
	if o.Hash != "07ef16b821f9552a8b3118416ed9ed6278d3a8ff93751d157c88edc1895cd86f" || o.Expires != webimPublicExpires {
		t.Errorf("mobile JSON = %s", data)
	}
}

func TestWebimRefreshDelay(t *testing.T) {
	for _, tt := range []struct{ ttl, want time.Duration }{
		{0, 55 * time.Minute},               // 1h: five minutes early
		{10 * time.Minute, 9 * time.Minute}, // a tenth early
		{24 * time.Hour, 24*time.Hour - 5*time.Minute},
	} {
		w := &Webim{TTL: tt.ttl}
		if got := w.refreshDelay(); got != tt.want {
			t.Errorf("TTL %v: delay %v, want %v", tt.ttl, got, tt.want)
		}
	}
}

// TestWebimBucket: a page's object is the one signed at the start of its
// expires bucket, so every page of a visitor within a bucket carries the
// same object (and its signature is computed once).
func TestWebimBucket(t *testing.T) {
	for _, tt := range []struct {
		ttl    time.Duration
		bucket int64
	}{{0, 60}, {30 * time.Minute, 30}, {time.Minute, 1}, {24 * time.Hour, 60}} {
		w := &Webim{PrivateKey: testKey, IDKey: testIDKey, TTL: tt.ttl, DisableRefresh: true}
		v := Visitor{ID: "12345", Name: "Anna"}
		start := time.Unix(1700000000-1700000000%tt.bucket, 0)
		exact, err := w.VisitorJSON(Request{Now: start}, v)
		if err != nil {
			t.Fatal(err)
		}
		for _, off := range []int64{0, tt.bucket / 2, tt.bucket - 1} {
			r := testRequest()
			r.Now = start.Add(time.Duration(off) * time.Second)
			script, err := identifyJS(context.Background(), w, r, v)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := parseWebimScript(t, script), parseWebimJSON(t, exact); !equalWebim(got, want) {
				t.Errorf("TTL %v, %ds into the bucket: %+v, want %+v", tt.ttl, off, got, want)
			}
		}
		r := testRequest()
		r.Now = start.Add(time.Duration(tt.bucket) * time.Second)
		script, _ := identifyJS(context.Background(), w, r, v)
		if got := parseWebimScript(t, script); got.Expires != parseWebimJSON(t, exact).Expires+tt.bucket {
			t.Errorf("TTL %v: the next bucket has expires %d", tt.ttl, got.Expires)
		}
	}
}
