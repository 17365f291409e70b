package middleware

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/securecookie"

	"github.com/chatident/chatident/vendors"
)

// appSession is what an application's login handler might keep in its
// session cookie.
type appSession struct {
	UserID string
	Email  string
	Guest  bool
}

func sessionVisitor(s appSession) (vendors.Visitor, bool) {
	if s.Guest || s.UserID == "" {
		return vendors.Visitor{}, false
	}
	return vendors.Visitor{ID: s.UserID, Email: s.Email}, true
}

const testBlockKey = "test-block-key-not-a-secret-0123" // 32 bytes

// appCookie encodes value the way the application's login handler does.
func appCookie(t *testing.T, codec *securecookie.SecureCookie, name string, value any) *http.Cookie {
	t.Helper()
	v, err := codec.Encode(name, value)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Cookie{Name: name, Value: v}
}

func TestSessionCookieStruct(t *testing.T) {
	src := &SessionCookie[appSession]{Name: "session", HashKey: []byte(testKey), Visitor: sessionVisitor}
	if err := src.Validate(); err != nil {
		t.Fatal(err)
	}
	c := appCookie(t, securecookie.New([]byte(testKey), nil), "session", appSession{UserID: "u-1", Email: "ann@example.com"})
	v, err := src.Lookup(withCookies("/", c))
	if err != nil {
		t.Fatal(err)
	}
	if want := (vendors.Visitor{ID: "u-1", Email: "ann@example.com"}); v == nil || !reflect.DeepEqual(*v, want) {
		t.Errorf("visitor = %+v, want %+v", v, want)
	}
}

func TestSessionCookieEncryptedMap(t *testing.T) {
	src := &SessionCookie[map[string]string]{
		Name: "sid", HashKey: []byte(testKey), BlockKey: []byte(testBlockKey),
		Visitor: func(m map[string]string) (vendors.Visitor, bool) {
			return vendors.Visitor{ID: m["id"], Name: m["name"]}, m["id"] != ""
		},
	}
	codec := securecookie.New([]byte(testKey), []byte(testBlockKey))
	c := appCookie(t, codec, "sid", map[string]string{"id": "u-2", "name": "Bob"})
	if strings.Contains(c.Value, "Bob") {
		t.Fatal("test setup: cookie is not encrypted")
	}
	v, err := src.Lookup(withCookies("/", c))
	if err != nil || v == nil || v.ID != "u-2" || v.Name != "Bob" {
		t.Errorf("Lookup = %+v, %v; want u-2 Bob", v, err)
	}
}

func TestSessionCookieJSON(t *testing.T) {
	src := &SessionCookie[appSession]{Name: "session", HashKey: []byte(testKey),
		Serializer: securecookie.JSONEncoder{}, Visitor: sessionVisitor}
	codec := securecookie.New([]byte(testKey), nil).SetSerializer(securecookie.JSONEncoder{})
	v, err := src.Lookup(withCookies("/", appCookie(t, codec, "session", appSession{UserID: "u-3"})))
	if err != nil || v == nil || v.ID != "u-3" {
		t.Errorf("Lookup = %+v, %v; want u-3", v, err)
	}
}

func TestSessionCookieNoVisitor(t *testing.T) {
	src := &SessionCookie[appSession]{Name: "session", HashKey: []byte(testKey), Visitor: sessionVisitor}
	codec := securecookie.New([]byte(testKey), nil)
	for name, r := range map[string]*http.Request{
		"no cookie":     withCookies("/"),
		"other cookie":  withCookies("/", &http.Cookie{Name: "theme", Value: "dark"}),
		"guest session": withCookies("/", appCookie(t, codec, "session", appSession{UserID: "u-1", Guest: true})),
	} {
		if v, err := src.Lookup(r); v != nil || err != nil {
			t.Errorf("%s: Lookup = %+v, %v; want nil, nil", name, v, err)
		}
	}
}

// expiredSession was made by Python's hmac with securecookie's format, JSON
// serialised, timestamp 1000000000 (2001), so it is long past any MaxAge:
//
//	python3 -c "import hmac,hashlib,base64
//	key=b'test-key-not-a-secret-0123456789abcdef'
//	val=base64.urlsafe_b64encode(b'{\"UserID\":\"u-1\",\"Email\":\"ann@example.com\"}')
//	msg=b'session|1000000000|'+val
//	mac=hmac.new(key,msg,hashlib.sha256).digest()
//	print(base64.urlsafe_b64encode(b'1000000000|'+val+b'|'+mac).decode())"
const expiredSession = "MTAwMDAwMDAwMHxleUpWYzJWeVNVUWlPaUoxTFRFaUxDSkZiV0ZwYkNJNkltRnVia0JsZUdGdGNHeGxMbU52YlNKOXxHv3XT3bUKDFD5RkyEvnLAnRSasqIMhswjpiX8YOSNkw=="

func TestSessionCookieRefused(t *testing.T) {
	src := &SessionCookie[appSession]{Name: "session", HashKey: []byte(testKey), Visitor: sessionVisitor}
	good := appCookie(t, securecookie.New([]byte(testKey), nil), "session", appSession{UserID: "u-1"})
	otherKey := appCookie(t, securecookie.New([]byte("test-other-key-not-a-secret-012345"), nil), "session", appSession{UserID: "u-1"})
	otherName := appCookie(t, securecookie.New([]byte(testKey), nil), "admin", appSession{UserID: "u-1"})
	otherName.Name = "session"
	tampered := *good
	tampered.Value = good.Value[:20] + "x" + good.Value[21:]
	if tampered.Value == good.Value {
		tampered.Value = good.Value[:20] + "y" + good.Value[21:]
	}
	wrongType := appCookie(t, securecookie.New([]byte(testKey), nil), "session", 42)

	for name, c := range map[string]*http.Cookie{
		"other hash key":  otherKey,
		"other name":      otherName,
		"tampered":        &tampered,
		"truncated":       {Name: "session", Value: good.Value[:len(good.Value)/2]},
		"garbage":         {Name: "session", Value: "not a cookie"},
		"oversized":       {Name: "session", Value: strings.Repeat("A", 5000)},
		"expired":         {Name: "session", Value: expiredSession},
		"another Go type": wrongType,
	} {
		v, err := src.Lookup(withCookies("/", c))
		if v != nil || !errors.Is(err, errBadSession) {
			t.Errorf("%s: Lookup = %+v, %v; want nil and a refusal", name, v, err)
		}
	}

	// The expired cookie is otherwise sound: with no age limit it decodes.
	var s appSession
	codec := securecookie.New([]byte(testKey), nil).SetSerializer(securecookie.JSONEncoder{}).MaxAge(0)
	if err := codec.Decode("session", expiredSession, &s); err != nil || s.UserID != "u-1" {
		t.Errorf("test vector: Decode without age limit = %+v, %v", s, err)
	}
	// So the JSON source refuses it for its age alone.
	jsonSrc := &SessionCookie[appSession]{Name: "session", HashKey: []byte(testKey),
		Serializer: securecookie.JSONEncoder{}, Visitor: sessionVisitor}
	v, err := jsonSrc.Lookup(withCookies("/", &http.Cookie{Name: "session", Value: expiredSession}))
	if v != nil || err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired JSON cookie: Lookup = %+v, %v; want refused as expired", v, err)
	}
}

func TestSessionCookieWrongBlockKey(t *testing.T) {
	src := &SessionCookie[appSession]{Name: "session", HashKey: []byte(testKey),
		BlockKey: []byte("test-other-block-key-0123456789a"[:32]), Visitor: sessionVisitor}
	c := appCookie(t, securecookie.New([]byte(testKey), []byte(testBlockKey)), "session", appSession{UserID: "u-1"})
	if v, err := src.Lookup(withCookies("/", c)); v != nil || err == nil {
		t.Errorf("Lookup = %+v, %v; want refused", v, err)
	}
}

// TestSessionCookieRememberedUntilExpiry: a remembered decoding is used only
// while securecookie itself would still accept the cookie.
func TestSessionCookieRememberedUntilExpiry(t *testing.T) {
	hashKey := []byte("session-hash-key-not-a-secret-0123456789")
	src := &SessionCookie[string]{Name: "s", HashKey: hashKey, MaxAge: 1,
		Visitor: func(id string) (vendors.Visitor, bool) { return vendors.Visitor{ID: id}, id != "" }}
	value, err := securecookie.New(hashKey, nil).Encode("s", "u-1")
	if err != nil {
		t.Fatal(err)
	}
	r := withCookies("/", &http.Cookie{Name: "s", Value: value})
	for range 2 { // decoded, then remembered
		if v, err := src.Lookup(r); err != nil || v == nil || v.ID != "u-1" {
			t.Fatalf("Lookup = %+v, %v", v, err)
		}
	}
	time.Sleep(2100 * time.Millisecond) // past MaxAge: securecookie refuses it
	if v, err := src.Lookup(r); err == nil || v != nil {
		t.Errorf("expired cookie: Lookup = %+v, %v; want refused", v, err)
	}
}
