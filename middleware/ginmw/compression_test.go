package ginmw_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	gingzip "github.com/gin-contrib/gzip"
	"github.com/gin-gonic/gin"

	"github.com/chatident/chatident/internal/adaptertest"
)

// TestGinContribGzipAfterChatident is gin-contrib/gzip registered after
// chatident, so that it compresses inside it: the page is decoded, gets its
// script and goes out gzipped again.
func TestGinContribGzipAfterChatident(t *testing.T) {
	big := "<!doctype html><html><head><title>Shop</title></head><body>" +
		strings.Repeat("<p>Everything for the garden, shipped the same day.</p>\n", 250) + "</body></html>"
	r := newEngine(t)
	r.Use(gingzip.Gzip(gingzip.DefaultCompression))
	r.GET("/", func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(big)) })
	srv := httptest.NewServer(r)
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ce := res.Header.Get("Content-Encoding"); ce != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", ce)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
		t.Errorf("Cache-Control %q, want private", cc)
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	adaptertest.AssertInjected(t, string(body), big, adaptertest.Anonymous)
}
