package echomw_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	echomiddleware "github.com/labstack/echo/v4/middleware"

	"github.com/chatident/chatident/internal/adaptertest"
)

// TestEchoGzipAfterChatident is Echo's Gzip middleware registered after
// chatident, so that it compresses inside it: the page is decoded, gets its
// script and goes out gzipped again.
func TestEchoGzipAfterChatident(t *testing.T) {
	big := "<!doctype html><html><head><title>Shop</title></head><body>" +
		strings.Repeat("<p>Everything for the garden, shipped the same day.</p>\n", 250) + "</body></html>"
	e := newEcho(t)
	e.Use(echomiddleware.Gzip())
	e.GET("/", func(c echo.Context) error { return c.HTML(http.StatusOK, big) })
	srv := httptest.NewServer(e)
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
