package middleware_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/zstd"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// bigShopPage is a page large enough for gzhttp to compress (13.8 KB, the
// size the report of the fault used).
var bigShopPage = "<!DOCTYPE html><html><head><title>Shop</title></head><body>" +
	strings.Repeat("<p>Everything for the garden, shipped the same day.</p>\n", 250) + "</body></html>"

func bigPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, bigShopPage)
}

// getCoded fetches url with the given Accept-Encoding and returns the
// response with its body decoded by the standard decoders.
func getCoded(t *testing.T, url, accept string) (resp *http.Response, body string, coded int) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept-Encoding", accept)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var r io.Reader = bytes.NewReader(raw)
	switch resp.Header.Get("Content-Encoding") {
	case "gzip":
		if r, err = gzip.NewReader(r); err != nil {
			t.Fatal(err)
		}
	case "zstd":
		d, err := zstd.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		r = d
	case "":
	default:
		t.Fatalf("unexpected Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	return resp, string(b), len(raw)
}

// TestWrapGzhttpInside is the report's case: the application compresses
// with gzhttp inside chatident, as users wire it.
func TestWrapGzhttpInside(t *testing.T) {
	mw, err := middleware.New(middleware.Config{Vendors: []vendors.Vendor{demoChat{}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mw.Wrap(gzhttp.GzipHandler(http.HandlerFunc(bigPage))))
	defer srv.Close()
	for accept, want := range map[string]string{
		"gzip":                      "gzip",
		"zstd":                      "zstd",
		"gzip, deflate, br, zstd":   "zstd", // a browser; gzhttp prefers zstd
		"gzip;q=1.0, zstd;q=0.5, *": "gzip",
	} {
		resp, body, coded := getCoded(t, srv.URL, accept)
		if got := resp.Header.Get("Content-Encoding"); got != want {
			t.Errorf("%s: Content-Encoding %q, want %q", accept, got, want)
		}
		i := strings.Index(body, "<head><script data-chatident=")
		j := strings.Index(body, "</script>")
		if i < 0 || j < i || !strings.Contains(body[i:j], `"demo":{"mode":"anonymous"}`) || !strings.Contains(body[i:j], "w.demoChat.guest();") {
			t.Fatalf("%s: no script after <head> in the decoded page: %.200q", accept, body)
		}
		if strings.Count(body, "<script") != 1 || body[:i+len("<head>")]+body[j+len("</script>"):] != bigShopPage {
			t.Errorf("%s: the page around the script changed", accept)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
			t.Errorf("%s: Cache-Control %q, want private", accept, cc)
		}
		// net/http sets the length of a small body it still buffers when
		// the handler returns: the re-encoded one, never the application's.
		if resp.ContentLength != -1 && resp.ContentLength != int64(coded) {
			t.Errorf("%s: Content-Length %d, body %d bytes", accept, resp.ContentLength, coded)
		}
	}
}

// TestWrapDecodingOff checks the switch and its one warning.
func TestWrapDecodingOff(t *testing.T) {
	var log bytes.Buffer
	mw, err := middleware.New(middleware.Config{
		Vendors: []vendors.Vendor{demoChat{}},
		Logger:  slog.New(slog.NewTextHandler(&log, nil)),
		Inject:  []inject.Option{inject.Codecs()},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mw.Wrap(gzhttp.GzipHandler(http.HandlerFunc(bigPage))))
	defer srv.Close()
	for range 2 {
		_, body, _ := getCoded(t, srv.URL, "gzip")
		if body != bigShopPage {
			t.Errorf("decoding off: the page changed")
		}
	}
	if n := strings.Count(log.String(), "compress(chatident(app))"); n != 1 {
		t.Errorf("%d warnings naming the fix, want 1:\n%s", n, log.String())
	}
}
