package echomw_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/chatident/chatident/internal/adaptertest"
)

// htmx and Turbo on Echo: partials, boosted swaps, frames and fetch()es pass
// through untouched while a document gets the script, and the client
// runtime's identity endpoint answers with the visitor the application put
// under VisitorKey, same origin only.
func TestFragmentsAndIdentity(t *testing.T) {
	r := newEcho(t)
	r.GET("/", func(c echo.Context) error { return c.HTMLBlob(http.StatusOK, []byte(adaptertest.Page)) })
	adaptertest.CheckFragmentsAndIdentity(t, r)
}
