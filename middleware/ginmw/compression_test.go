package ginmw_test

import (
	"net/http"
	"testing"

	gingzip "github.com/gin-contrib/gzip"
	"github.com/gin-gonic/gin"

	"github.com/chatident/chatident/internal/adaptertest"
)

// TestGinContribGzipAfterChatident is gin-contrib/gzip registered after
// chatident, so that it compresses inside it: the page is decoded, gets its
// script and goes out gzipped again.
func TestGinContribGzipAfterChatident(t *testing.T) {
	r := newEngine(t)
	r.Use(gingzip.Gzip(gingzip.DefaultCompression))
	r.GET("/", func(c *gin.Context) {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(adaptertest.BigPage))
	})
	adaptertest.CheckGzipInside(t, r)
}
