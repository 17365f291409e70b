package ginmw_test

import (
	"fmt"
	"net/http"
	"strings"
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
	r.GET("/", func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(page)) })

	for _, h := range [][]string{
		{"HX-Request", "true"},
		{"HX-Request", "true", "HX-Boosted", "true"},
		{"Turbo-Frame", "cart"},
		{"Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"},
	} {
		if res := do(t, r, "GET", "/", append([]string{"X-User", "u-1"}, h...)...); res.body != page {
			t.Errorf("fragment %v: %q, want the page untouched", h, res.body)
		}
	}
	res := do(t, r, "GET", "/", "X-User", "u-1", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document")
	adaptertest.AssertInjected(t, res.body, page, fmt.Sprintf(adaptertest.Identify, "u-1"))

	res = do(t, r, "GET", "/_chatident/identity", "X-User", "u-2", "Sec-Fetch-Site", "same-origin")
	if res.status != http.StatusOK || !strings.Contains(res.body, fmt.Sprintf(adaptertest.Identify, "u-2")) ||
		res.header.Get("Cache-Control") != "no-store" {
		t.Errorf("identity: %d %v %q; want 200, no-store, the visitor u-2", res.status, res.header, res.body)
	}
	res = do(t, r, "GET", "/_chatident/identity", "X-User", "u-2", "Sec-Fetch-Site", "cross-site")
	if res.status != http.StatusForbidden || strings.Contains(res.body, "u-2") {
		t.Errorf("cross-site identity: %d %q; want 403 without the visitor", res.status, res.body)
	}
}
