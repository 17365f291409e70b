package echomw_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	echomiddleware "github.com/labstack/echo/v4/middleware"

	"github.com/chatident/chatident/internal/adaptertest"
)

// TestEchoGzipAfterChatident is Echo's Gzip middleware registered after
// chatident, so that it compresses inside it: the page is decoded, gets its
// script and goes out gzipped again.
func TestEchoGzipAfterChatident(t *testing.T) {
	e := newEcho(t)
	e.Use(echomiddleware.Gzip())
	e.GET("/", func(c echo.Context) error { return c.HTML(http.StatusOK, adaptertest.BigPage) })
	adaptertest.CheckGzipInside(t, e)
}
