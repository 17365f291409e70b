package middleware_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// A site that asks for consent before identifying visitors to its chat, and
// whose pages change identity without a page load (htmx, Turbo, a
// single-page app): the page runtime fetches the identity endpoint after
// each swap, or when the page calls window.chatident.refresh().
func ExampleConfig_consent() {
	mw, err := middleware.New(middleware.Config{
		Vendors: []vendors.Vendor{demoChat{}},
		Sources: []middleware.Source{middleware.SourceFunc(func(r *http.Request) (*vendors.Visitor, error) {
			return &vendors.Visitor{ID: "42"}, nil // everyone is signed in here
		})},
		// The consent manager's cookie says whether the visitor agreed.
		Consent: func(r *http.Request) bool {
			c, err := r.Cookie("consent")
			return err == nil && c.Value == "chat"
		},
		WithoutConsent: middleware.ConsentNothing,
		SignOut:        middleware.SignOut{HashKey: []byte("example-sign-out-key-0123456789abcdef")},
	})
	if err != nil {
		log.Fatal(err)
	}
	h := mw.Wrap(http.HandlerFunc(page))

	identity := func(consent bool) string {
		r := httptest.NewRequest(http.MethodGet, "/_chatident/identity", nil)
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		if consent {
			r.AddCookie(&http.Cookie{Name: "consent", Value: "chat"})
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return fmt.Sprint(w.Code, " ", w.Body)
	}
	fmt.Println(identity(false))
	fmt.Println(identity(true))
	// Output:
	// 200 {"v":1,"withheld":true,"vendors":{}}
	// 200 {"v":1,"vendors":{"demo":{"mode":"identify","data":{"id":"42"}}}}
}
