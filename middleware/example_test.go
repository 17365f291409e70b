package middleware_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/securecookie"

	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// demoChat is a minimal vendor for the examples. Real applications use the
// vendors package's Webim, edna, HelpCrunch or Zendesk.
type demoChat struct{}

func (demoChat) Name() string { return "demo" }

// Prepare returns the constant code: d is the data Identify wrote.
func (demoChat) Prepare(vendors.Setup) (vendors.Script, error) {
	return vendors.Script{
		Identify:  `w.demoChat.identify(d.id);`,
		Anonymous: `w.demoChat.guest();`,
		Reset:     `w.demoChat.logout();`,
	}, nil
}

// Identify writes the visitor's values; Data encodes them.
func (demoChat) Identify(_ context.Context, _ vendors.Request, v vendors.Visitor, d *vendors.Data) error {
	d.String("id", v.ID)
	return nil
}

// withoutCode shortens the page script's text, which is the same constant
// code on every page, to "…", leaving its data attribute to read.
func withoutCode(page string) string {
	i := strings.Index(page, "'>")
	j := strings.Index(page, "</script>")
	if i < 0 || j < i {
		return page
	}
	return page[:i+2] + "…" + page[j:]
}

// page is the application: it knows nothing about chat widgets.
func page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, "<html><head><title>Shop</title></head><body>Hello</body></html>")
}

func Example() {
	mw, err := middleware.New(middleware.Config{
		Vendors: []vendors.Vendor{
			// IDKey derives edna's permanent, opaque clientId from the user id.
			&vendors.Edna{IDKey: []byte("test-key-not-a-secret-0123456789abcdef")},
		},
	})
	if err != nil {
		log.Fatal(err) // every configuration mistake surfaces here
	}
	handler := mw.Wrap(http.HandlerFunc(page)) // then: http.ListenAndServe(addr, handler)

	// A request whose visitor the application's authentication has found.
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r = r.WithContext(middleware.WithVisitor(r.Context(), vendors.Visitor{ID: "42", Name: "Ann"}))
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, r)
	fmt.Println(withoutCode(w.Body.String()))
	// The clientId is HMAC-SHA256 of "42" under the IDKey, as Python computes it:
	// python3 -c "import hmac,hashlib; print(hmac.new(b'test-key-not-a-secret-0123456789abcdef',b'42',hashlib.sha256).hexdigest())"

	// Output:
	// <html><head><script data-chatident='{"v":1,"vendors":{"edna":{"mode":"identify","data":{"id":"666d4ad10c3d4951ff7c6d5fba4313bb3974b813517ae7c0e2bd618d036dbfe5","data":{"name":"Ann"}}}}}'>…</script><title>Shop</title></head><body>Hello</body></html>
}

func ExampleWithVisitor() {
	mw, err := middleware.New(middleware.Config{Vendors: []vendors.Vendor{demoChat{}}})
	if err != nil {
		log.Fatal(err)
	}
	// The application's own authentication runs outside the middleware and
	// says who is signed in.
	auth := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Demo-User") == "ann" { // stands in for a real session check
				r = r.WithContext(middleware.WithVisitor(r.Context(), vendors.Visitor{ID: "user-1", Name: "Ann"}))
			}
			next.ServeHTTP(w, r)
		})
	}
	handler := auth(mw.Wrap(http.HandlerFunc(page)))

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Demo-User", "ann")
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, r)
	fmt.Println(withoutCode(w.Body.String()))
	// Output:
	// <html><head><script data-chatident='{"v":1,"vendors":{"demo":{"mode":"identify","data":{"id":"user-1"}}}}'>…</script><title>Shop</title></head><body>Hello</body></html>
}

func ExampleJWTCookie() {
	secret := []byte("test-key-not-a-secret-0123456789abcdef") // the login project's JWT secret
	source := &middleware.JWTCookie{Secret: secret}            // reads cookie "token", HS256

	// The login service signed the visitor in and set the cookie.
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub":   "b5a1d4e0-login-user",
		"email": "ann@example.com",
		"iat":   time.Now().Unix(),
		"exp":   time.Now().Add(time.Hour).Unix(),
	}).SignedString(secret)
	if err != nil {
		log.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: "token", Value: token})

	v, err := source.Lookup(r)
	fmt.Println(v.ID, v.Email, err)

	// Configured as a source:
	_, err = middleware.New(middleware.Config{
		Vendors: []vendors.Vendor{demoChat{}},
		Sources: []middleware.Source{source},
	})
	fmt.Println(err)
	// Output:
	// b5a1d4e0-login-user ann@example.com <nil>
	// <nil>
}

func ExampleSessionCookie() {
	// The application's session, as its login handler stores it.
	type Session struct {
		UserID int
		Name   string
	}
	hashKey := []byte("test-key-not-a-secret-0123456789abcdef")
	blockKey := []byte("test-block-key-not-a-secret-0123")

	// The login handler:
	value, err := securecookie.New(hashKey, blockKey).Encode("session", Session{UserID: 42, Name: "Ann"})
	if err != nil {
		log.Fatal(err)
	}

	source := &middleware.SessionCookie[Session]{
		Name:     "session",
		HashKey:  hashKey,
		BlockKey: blockKey,
		Visitor: func(s Session) (vendors.Visitor, bool) {
			return vendors.Visitor{ID: strconv.Itoa(s.UserID), Name: s.Name}, s.UserID != 0
		},
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: "session", Value: value})
	v, err := source.Lookup(r)
	fmt.Println(v.ID, v.Name, err)
	// Output:
	// 42 Ann <nil>
}
