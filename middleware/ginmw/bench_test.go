package ginmw_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/chatident/chatident/internal/adaptertest"
	"github.com/chatident/chatident/middleware/ginmw"
)

// BenchmarkPage measures one HTML page through Gin with and without the
// adapter; the difference is what chatident and the adapter cost a page.
func BenchmarkPage(b *testing.B) {
	for _, with := range []bool{false, true} {
		name := "gin"
		r := gin.New()
		if with {
			name = "gin+chatident"
			r.Use(signIn, ginmw.Middleware(adaptertest.NewMiddleware(b)))
		}
		r.GET("/", func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(page)) })
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("X-User", "u-1")
			b.ReportAllocs()
			for b.Loop() {
				r.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
