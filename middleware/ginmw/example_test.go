package ginmw_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/middleware/ginmw"
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

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(
		// The application's authentication: here everyone is Ann.
		func(c *gin.Context) {
			c.Set(ginmw.VisitorKey, vendors.Visitor{ID: "42", Name: "Ann"})
		},
		ginmw.Middleware(mw),
	)
	r.GET("/", func(c *gin.Context) {
		c.Data(http.StatusOK, "text/html; charset=utf-8",
			[]byte("<!doctype html><html><head><title>Shop</title></head><body>Hello</body></html>"))
	})

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	body := rec.Body.String()
	fmt.Println(rec.Code)
	fmt.Println(strings.HasPrefix(body, "<!doctype html><html><head><script data-chatident="))
	fmt.Println(strings.Contains(body, `"webim":{"mode":"identify","data":{"visitor":{"fields":{"display_name":"Ann"`))
	// Output:
	// 200
	// true
	// true
}
