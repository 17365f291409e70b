package inject_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/inject/codecs"
	"github.com/klauspost/compress/zstd"
)

// Compressed pages: the application (or an upstream) encodes the page, the
// Handler decodes, inserts and encodes again, and the client decodes with
// the standard decoders. The expected page is built by string insertion,
// not by the rewriter.

const codecScript = `window.chat={id:"42"};`
const codecElement = "<script>" + codecScript + "</script>"

// coding is one content coding as the application and the client see it.
type coding struct {
	name   string // Content-Encoding sent
	client string // how the client decodes the re-encoded body
	enc    func(io.Writer) encoder
}

// encoder is an application's streaming compressor.
type encoder interface {
	io.WriteCloser
	Flush() error
}

var codings = []coding{
	{"gzip", "gzip", func(w io.Writer) encoder { return gzip.NewWriter(w) }},
	{"deflate", "deflate", func(w io.Writer) encoder { return zlib.NewWriter(w) }},
	// Windows of 1 MiB, so that a page of 1 MiB or more fills them (see
	// TestCodecMemoryDoesNotGrowWithThePage).
	{"br", "br", func(w io.Writer) encoder {
		return brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: 5, LGWin: 20})
	}},
	{"zstd", "zstd", func(w io.Writer) encoder {
		e, err := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<20))
		if err != nil {
			panic(err)
		}
		return e
	}},
}

// rawDeflate is a server sending DEFLATE without the zlib wrapper.
var rawDeflate = coding{"deflate", "deflate", func(w io.Writer) encoder {
	fw, _ := flate.NewWriter(w, 6)
	return fw
}}

// decode reads a whole coded body with the client's decoder.
func decode(t testing.TB, name string, body []byte) []byte {
	t.Helper()
	got, err := decodePrefix(name, body)
	if err != nil {
		t.Fatalf("%s: decoding the response: %v", name, err)
	}
	return got
}

// decodePrefix decodes what a body so far holds: everything a client can
// read from it before it runs out, and the error it then meets.
func decodePrefix(name string, body []byte) ([]byte, error) {
	var r io.Reader
	var err error
	src := bytes.NewReader(body)
	switch name {
	case "gzip":
		r, err = gzip.NewReader(src)
	case "deflate":
		r, err = zlib.NewReader(src)
	case "br":
		r = brotli.NewReader(src)
	case "zstd":
		var d *zstd.Decoder
		d, err = zstd.NewReader(src, zstd.WithDecoderConcurrency(1))
		if err == nil {
			defer d.Close()
			r = d
		}
	default:
		return nil, fmt.Errorf("no decoder for %q", name)
	}
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	_, err = out.ReadFrom(r)
	return out.Bytes(), err
}

// codecPage returns an HTML page of about n bytes of varied text, with
// <head> near the start and </body> at the end.
func codecPage(n int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 7))
	words := []string{"chat", "widget", "visitor", "identity", "page", "stream", "<b>bold</b>", "&amp;", "é", "script", "gzip", "zstd"}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Codec</title></head>\n<body>\n")
	for b.Len() < n {
		b.WriteString("<p>")
		for i := 0; i < 12; i++ {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d</p>\n", rng.Uint32())
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

func injectedPage(page string, at inject.Placement) string {
	if at == inject.BeforeBodyClose {
		return strings.Replace(page, "</body>", codecElement+"</body>", 1)
	}
	return strings.Replace(page, "<head>", "<head>"+codecElement, 1)
}

// injectedAfterMeta is injectedPage for AfterHeadOpen when Content-Type
// names no charset: the page's <meta charset> then decides the encoding, and
// the element goes right after it so that it stays in the first 1024 bytes.
func injectedAfterMeta(page string) string {
	const meta = `<meta charset="utf-8">`
	return strings.Replace(page, meta, meta+codecElement, 1)
}

// chunker cuts the coded bytes of one batch into the application's Writes.
type chunker struct {
	name string
	cut  func(rng *rand.Rand, n int) []int // piece lengths
}

var chunkers = []chunker{
	{"one write", func(_ *rand.Rand, n int) []int { return []int{n} }},
	{"1-byte writes", func(_ *rand.Rand, n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = 1
		}
		return s
	}},
	{"random splits", func(rng *rand.Rand, n int) []int {
		var s []int
		for n > 0 {
			k := min(n, 1+rng.IntN(700))
			s = append(s, k)
			n -= k
		}
		return s
	}},
}

// codedApp is an application that encodes page itself with c, writing the
// coded bytes in pieces cut by ch. When flushAt > 0 it flushes its encoder
// and the ResponseWriter after page[:flushAt] and calls atFlush.
type codedApp struct {
	c       coding
	ch      chunker
	page    string
	flushAt int
	atFlush func()
	seed    uint64
	werr    error // the first error a Write returned
}

func (a *codedApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Encoding", a.c.name)
	w.Header().Set("ETag", `"v1"`)
	rng := rand.New(rand.NewPCG(a.seed, 1))
	var coded bytes.Buffer
	e := a.c.enc(&coded)
	send := func() {
		b := coded.Bytes()
		for _, k := range a.ch.cut(rng, len(b)) {
			if _, err := w.Write(b[:k]); err != nil && a.werr == nil {
				a.werr = err
			}
			b = b[k:]
		}
		coded.Reset()
	}
	rest := a.page
	if a.flushAt > 0 {
		io.WriteString(e, a.page[:a.flushAt])
		if err := e.Flush(); err != nil {
			panic(err)
		}
		send()
		w.(http.Flusher).Flush()
		a.atFlush()
		rest = a.page[a.flushAt:]
	}
	io.WriteString(e, rest)
	if err := e.Close(); err != nil {
		panic(err)
	}
	send()
}

func constScript(*http.Request) []byte { return []byte(codecScript) }

// serveCoded runs app through a Handler with every codec and returns the
// recorder and the outcome.
func serveCoded(app http.Handler, opts ...inject.Option) (*httptest.ResponseRecorder, inject.Outcome) {
	var out inject.Outcome
	opts = append([]inject.Option{inject.Codecs(codecs.All()...), inject.Logger(slog.New(slog.DiscardHandler))}, opts...)
	opts = append(opts, inject.Observe(func(_ *http.Request, o inject.Outcome) { out = o }))
	rec := httptest.NewRecorder()
	inject.Handler(app, constScript, opts...).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	return rec, out
}

// checkInjectedHeaders checks the headers of a re-encoded injected page.
func checkInjectedHeaders(t *testing.T, h http.Header, name string) {
	t.Helper()
	if got := h.Get("Content-Encoding"); got != name {
		t.Errorf("Content-Encoding %q, want %q", got, name)
	}
	if _, ok := h["Content-Length"]; ok {
		t.Errorf("Content-Length %q on a re-encoded page", h.Get("Content-Length"))
	}
	if h.Get("ETag") != "" {
		t.Errorf("ETag %q kept on an injected page", h.Get("ETag"))
	}
	if cc := h.Get("Cache-Control"); !strings.Contains(cc, "private") {
		t.Errorf("Cache-Control %q, want private", cc)
	}
	if v := h.Get("Vary"); !strings.Contains(v, "Cookie") {
		t.Errorf("Vary %q, want Cookie", v)
	}
}

func TestCodecEveryEncodingChunkingAndFlush(t *testing.T) {
	page := codecPage(48<<10, 1)
	headAt := strings.Index(page, "<head>") + len("<head>")
	for _, c := range append(codings, rawDeflate) {
		for _, ch := range chunkers {
			for _, at := range []inject.Placement{inject.AfterHeadOpen, inject.BeforeBodyClose} {
				// Flush points: none, before the marker (at the first
				// newline), after <head>, and in the middle of the page.
				for _, flushAt := range []int{0, strings.IndexByte(page, '\n') + 1, headAt, len(page) / 2} {
					name := fmt.Sprintf("%s/%s/%v/flush@%d", c.name, ch.name, at, flushAt)
					if c.name == "deflate" && c.enc(io.Discard) != nil {
						if _, raw := c.enc(io.Discard).(*flate.Writer); raw {
							name = "raw " + name
						}
					}
					t.Run(name, func(t *testing.T) {
						want := injectedPage(page, at)
						var rec *httptest.ResponseRecorder
						var snapshot []byte
						app := &codedApp{c: c, ch: ch, page: page, flushAt: flushAt, seed: uint64(flushAt) + 3,
							atFlush: func() { snapshot = append([]byte(nil), rec.Body.Bytes()...) }}
						var out inject.Outcome
						rec = httptest.NewRecorder()
						inject.Handler(app, constScript, inject.Codecs(codecs.All()...), inject.At(at),
							inject.Observe(func(_ *http.Request, o inject.Outcome) { out = o })).
							ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
						if app.werr != nil {
							t.Fatalf("Write: %v", app.werr)
						}
						if out.Reason != inject.Injected {
							t.Fatalf("outcome %+v, want injected", out)
						}
						got := decode(t, c.client, rec.Body.Bytes())
						if string(got) != want {
							t.Fatalf("decoded body differs from the injected page (len %d, want %d)", len(got), len(want))
						}
						checkInjectedHeaders(t, rec.Result().Header, c.name)
						if flushAt == 0 {
							return
						}
						if !rec.Flushed {
							t.Errorf("the application's Flush did not reach the underlying writer")
						}
						// What went out at the flush decodes to all the page
						// before the flush point, with the element if the
						// marker was in it; only a possible marker start at
						// the very end may be held back.
						sent, _ := decodePrefix(c.client, snapshot)
						before := page[:flushAt]
						if at == inject.AfterHeadOpen && flushAt >= headAt {
							before = injectedPage(before, at)
						}
						if !strings.HasPrefix(before, string(sent)) || len(sent) < len(before)-len("<head>") {
							t.Errorf("at the flush the client could read %d bytes, want the %d bytes before it:\n%q", len(sent), len(before), sent)
						}
					})
				}
			}
		}
	}
}
