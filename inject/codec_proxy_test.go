package inject_test

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/inject/codecs"
	"github.com/chatident/chatident/internal/faultnet"
	"github.com/klauspost/compress/zstd"
)

// streamDecoder returns the client's streaming decoder for a coded body.
func streamDecoder(t *testing.T, name string, body io.Reader) io.Reader {
	t.Helper()
	switch name {
	case "gzip":
		r, err := gzip.NewReader(body)
		if err != nil {
			t.Fatal(err)
		}
		return r
	case "deflate":
		r, err := zlib.NewReader(body)
		if err != nil {
			t.Fatal(err)
		}
		return r
	case "br":
		return brotli.NewReader(body)
	case "zstd":
		d, err := zstd.NewReader(body, zstd.WithDecoderConcurrency(1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Close)
		return d
	}
	t.Fatalf("no decoder for %q", name)
	return nil
}

// TestCodecBehindReverseProxy has an upstream that compresses in the
// coding the client accepts and streams: it flushes half the page, then
// waits until the client has read it (through the proxy, chatident's
// decoder, rewriter and encoder, and the client's decoder) before it sends
// the rest.
func TestCodecBehindReverseProxy(t *testing.T) {
	faultnet.NoGoroutineLeak(t)
	page := codecPage(96<<10, 11)
	half := len(page) / 2
	want := injectedPage(page, inject.AfterHeadOpen)
	release := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var c coding
		for _, k := range codings {
			if k.name == r.Header.Get("Accept-Encoding") {
				c = k
			}
		}
		if c.name == "" {
			http.Error(w, "no coding", http.StatusNotAcceptable)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", c.name)
		w.Header().Set("Vary", "Accept-Encoding")
		e := c.enc(w)
		io.WriteString(e, page[:half])
		e.Flush()
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-time.After(10 * time.Second):
			t.Error("the client never read the first half")
		}
		io.WriteString(e, page[half:])
		e.Close()
	}))
	defer upstream.Close()
	u, _ := url.Parse(upstream.URL)
	proxy := httputil.NewSingleHostReverseProxy(u)
	front := httptest.NewServer(inject.Handler(proxy, constScript, inject.Codecs(codecs.All()...)))
	defer front.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()

	for _, c := range codings {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", front.URL, nil)
			req.Header.Set("Accept-Encoding", c.name)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.Header.Get("Content-Encoding") != c.name {
				t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
			}
			checkInjectedHeaders(t, resp.Header, c.name)
			if v := resp.Header.Get("Vary"); !strings.Contains(v, "Accept-Encoding") {
				t.Errorf("Vary %q lost the upstream's Accept-Encoding", v)
			}
			// Read the first half (with the element) while the upstream
			// waits; a timer ends the read if it never comes.
			timer := time.AfterFunc(10*time.Second, func() { resp.Body.Close() })
			defer timer.Stop()
			dec := streamDecoder(t, c.name, resp.Body)
			first := make([]byte, half+len(codecElement))
			if _, err := io.ReadFull(dec, first); err != nil {
				t.Fatalf("reading the flushed half: %v", err)
			}
			release <- struct{}{}
			rest, err := io.ReadAll(dec)
			if err != nil {
				t.Fatalf("reading the rest: %v", err)
			}
			if got := string(first) + string(rest); got != want {
				t.Errorf("decoded page differs from the injected page (%d bytes, want %d)", len(got), len(want))
			}
		})
	}
}

// TestCodecNoGoroutineLeft checks that every way a decoded response can
// end leaves no coroutine behind: the end of the stream, a panic in the
// middle, a corrupt stream, a client that goes away.
func TestCodecNoGoroutineLeft(t *testing.T) {
	faultnet.NoGoroutineLeak(t)
	page := codecPage(256<<10, 4)
	gz := gzipped(page)
	h := inject.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		body := gz
		switch r.URL.Path {
		case "/corrupt":
			body = append(append([]byte(nil), gz[:len(gz)/2]...), bytes.Repeat([]byte{0xff}, 4096)...)
		case "/truncated":
			body = gz[:len(gz)/2]
		}
		for i := 0; i < len(body); i += 1000 {
			if r.URL.Path == "/panic" && i > len(body)/3 {
				panic(http.ErrAbortHandler)
			}
			if _, err := w.Write(body[i:min(i+1000, len(body))]); err != nil {
				return
			}
		}
	}), constScript, inject.Codecs(codecs.All()...))
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()
	for _, path := range []string{"/", "/panic", "/corrupt", "/truncated"} {
		for range 5 {
			resp, err := client.Get(srv.URL + path)
			if err != nil {
				continue // /panic aborts the response
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	// A client that reads the headers and goes away.
	for range 5 {
		resp, err := client.Get(srv.URL + "/")
		if err == nil {
			resp.Body.Close()
		}
	}
}
