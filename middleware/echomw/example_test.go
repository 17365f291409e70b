package echomw_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/middleware/echomw"
	"github.com/chatident/chatident/vendors"
)

func ExampleMiddleware() {
	mw, err := middleware.New(middleware.Config{
		Vendors: []vendors.Vendor{&vendors.Webim{
			PrivateKey: []byte("test-key-not-a-secret-0123456789abcdef"),
			IDKey:      []byte("test-id-key-not-a-secret-0123456789abcdef"),
		}},
	})
	if err != nil {
		log.Fatal(err)
	}

	e := echo.New()
	e.Use(
		// The application's authentication: here everyone is Ann.
		func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				c.Set(echomw.VisitorKey, vendors.Visitor{ID: "42", Name: "Ann"})
				return next(c)
			}
		},
		echomw.Middleware(mw),
	)
	e.GET("/", func(c echo.Context) error {
		return c.HTML(http.StatusOK, "<!doctype html><html><head><title>Shop</title></head><body>Hello</body></html>")
	})

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	body := rec.Body.String()
	fmt.Println(rec.Code)
	fmt.Println(strings.HasPrefix(body, "<!doctype html><html><head><script data-chatident="))
	fmt.Println(strings.Contains(body, `"webim":{"mode":"identify","data":{"visitor":{"fields":{"display_name":"Ann"`))
	// Output:
	// 200
	// true
	// true
}
