package ginmw_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/chatident/chatident/internal/adaptertest"
)

// htmx and Turbo on Gin: partials, boosted swaps, frames and fetch()es pass
// through untouched while a document gets the script, and the client
// runtime's identity endpoint answers with the visitor the application put
// under VisitorKey, same origin only.
func TestFragmentsAndIdentity(t *testing.T) {
	r := newEngine(t)
	r.GET("/", func(c *gin.Context) {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(adaptertest.Page))
	})
	adaptertest.CheckFragmentsAndIdentity(t, r)
}
