package echomw_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/chatident/chatident/internal/adaptertest"
	"github.com/chatident/chatident/middleware/echomw"
)

// BenchmarkPage measures one HTML page through Echo with and without the
// adapter; the difference is what chatident and the adapter cost a page.
func BenchmarkPage(b *testing.B) {
	for _, with := range []bool{false, true} {
		name := "echo"
		e := echo.New()
		if with {
			name = "echo+chatident"
			e.Use(signIn, echomw.Middleware(adaptertest.NewMiddleware(b)))
		}
		e.GET("/", func(c echo.Context) error { return c.HTML(http.StatusOK, page) })
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("X-User", "u-1")
			b.ReportAllocs()
			for b.Loop() {
				e.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
