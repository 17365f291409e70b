package inject_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/inject/codecs"
)

// gzipped returns s compressed with the standard gzip writer.
func gzipped(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	io.WriteString(w, s)
	w.Close()
	return b.Bytes()
}

// bodyApp answers with the given headers and body, written in pieces of at
// most piece bytes (all at once when 0), and records the first write error.
type bodyApp struct {
	header map[string]string
	body   []byte
	piece  int
	werr   error
}

func (a *bodyApp) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	b := a.body
	for len(b) > 0 {
		k := len(b)
		if a.piece > 0 {
			k = min(k, a.piece)
		}
		if _, err := w.Write(b[:k]); err != nil {
			a.werr = err
			return
		}
		b = b[k:]
	}
}

func htmlCoded(enc string) map[string]string {
	return map[string]string{"Content-Type": "text/html", "Content-Encoding": enc}
}

func TestCodecPassesThroughUntouched(t *testing.T) {
	page := "<html><head><title>x</title></head><body>hello</body></html>"
	gz := gzipped(page)
	for _, tc := range []struct {
		name   string
		header map[string]string
		opts   []inject.Option
		want   inject.Reason
	}{
		{"unknown coding", htmlCoded("compress"), nil, inject.Encoded},
		{"stacked in one value", htmlCoded("gzip, br"), nil, inject.Encoded},
		{"decoding off", htmlCoded("gzip"), []inject.Option{inject.Codecs()}, inject.Encoded},
		{"not HTML", map[string]string{"Content-Type": "text/css", "Content-Encoding": "gzip"}, nil, inject.NotHTML},
		{"no Content-Type", map[string]string{"Content-Encoding": "gzip"}, nil, inject.NotHTML},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := &bodyApp{header: tc.header, body: gz, piece: 7}
			rec, out := serveCoded(app, tc.opts...)
			if out.Reason != tc.want {
				t.Errorf("outcome %+v, want %s", out, tc.want)
			}
			if !bytes.Equal(rec.Body.Bytes(), gz) {
				t.Errorf("body changed")
			}
			if rec.Result().Header.Get("Cache-Control") != "" {
				t.Errorf("Cache-Control %q on a response that passed through", rec.Result().Header.Get("Cache-Control"))
			}
		})
	}
}

func TestCodecXGzipAndStackedLines(t *testing.T) {
	page := "<html><head></head><body>hello</body></html>"
	rec, out := serveCoded(&bodyApp{header: htmlCoded("X-GZIP"), body: gzipped(page)})
	if out.Reason != inject.Injected {
		t.Fatalf("x-gzip: outcome %+v", out)
	}
	if got := decode(t, "gzip", rec.Body.Bytes()); string(got) != injectedPage(page, inject.AfterHeadOpen) {
		t.Errorf("x-gzip: %q", got)
	}
	// Two Content-Encoding lines are two codings stacked.
	app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header()["Content-Encoding"] = []string{"gzip", "gzip"}
		w.Write(gzipped(string(gzipped(page))))
	})
	if _, out := serveCoded(app); out.Reason != inject.Encoded {
		t.Errorf("two lines: outcome %+v, want encoded", out)
	}
}

func TestCodecNoMarkerWhileHeldIsByteIdentical(t *testing.T) {
	// BeforeBodyClose and no </body>: the page ends without the marker
	// while the headers are held, so the application's coded bytes and
	// headers go out as they were.
	page := "<html><head><title>x</title></head><body>no end tag"
	gz := gzipped(page)
	app := &bodyApp{header: htmlCoded("gzip"), body: gz, piece: 3}
	app.header["Content-Length"] = "123"
	app.header["ETag"] = `"v1"`
	rec, out := serveCoded(app, inject.At(inject.BeforeBodyClose))
	if out.Reason != inject.NoMarker {
		t.Fatalf("outcome %+v, want no_marker", out)
	}
	if !bytes.Equal(rec.Body.Bytes(), gz) {
		t.Errorf("body re-encoded, want the application's bytes")
	}
	h := rec.Result().Header
	if h.Get("Content-Length") != "123" || h.Get("ETag") != `"v1"` || h.Get("Content-Encoding") != "gzip" {
		t.Errorf("headers changed: %v", h)
	}
}

func TestCodecCorruptBeforeAnythingWasSent(t *testing.T) {
	// The fault shows while the headers are still held: everything goes
	// out as the application made it. With BeforeBodyClose and a page
	// without </body>, the marker is never found, so the headers are still
	// held when a fault at the very end of the stream shows.
	noEnd := gzipped("<html><head><title>x</title></head><body>hello, no end tag")
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"not gzip at all", []byte("<html><head></head>plain text labelled gzip")},
		{"not gzip at all, larger than MaxHeld", []byte("<html><head></head>" + strings.Repeat("plain text labelled gzip ", 4000))},
		{"truncated (the application did not Close its writer)", noEnd[:len(noEnd)-6]},
		{"corrupt checksum", append(append([]byte(nil), noEnd[:len(noEnd)-8]...), 1, 2, 3, 4, 5, 6, 7, 8)},
		{"bytes after the end", append(append([]byte(nil), noEnd...), "trailing"...)},
	} {
		for _, piece := range []int{0, 1, 5} {
			app := &bodyApp{header: htmlCoded("gzip"), body: tc.body, piece: piece}
			app.header["Content-Length"] = "99"
			rec, out := serveCoded(app, inject.At(inject.BeforeBodyClose))
			if out.Reason != inject.Corrupt {
				t.Errorf("%s, pieces of %d: outcome %+v, want corrupt", tc.name, piece, out)
			}
			if app.werr != nil {
				t.Errorf("%s, pieces of %d: Write: %v", tc.name, piece, app.werr)
			}
			if !bytes.Equal(rec.Body.Bytes(), tc.body) {
				t.Errorf("%s, pieces of %d: body changed", tc.name, piece)
			}
			if h := rec.Result().Header; h.Get("Content-Length") != "99" || h.Get("Cache-Control") != "" {
				t.Errorf("%s: headers changed: %v", tc.name, h)
			}
		}
	}
	// An empty body is no stream at all: nothing to decode, nothing sent.
	rec, out := serveCoded(&bodyApp{header: htmlCoded("gzip")})
	if out.Reason != inject.NoMarker || rec.Body.Len() != 0 {
		t.Errorf("empty body: outcome %+v, body %q", out, rec.Body.Bytes())
	}
}

func TestCodecCorruptAfterTheScriptWentOut(t *testing.T) {
	// The script went out with the first bytes; the fault shows at the
	// end (a truncated stream, a bad checksum, bytes after the end): the
	// response is cut off, its coded stream left unterminated.
	page := "<html><head><title>x</title></head><body>hello</body></html>"
	gz := gzipped(page)
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"truncated", gz[:len(gz)-6]},
		{"corrupt checksum", append(append([]byte(nil), gz[:len(gz)-8]...), 1, 2, 3, 4, 5, 6, 7, 8)},
		{"bytes after the end", append(append([]byte(nil), gz...), "trailing"...)},
	} {
		app := &bodyApp{header: htmlCoded("gzip"), body: tc.body, piece: len(gz) - 4}
		rec, out := serveCoded(app)
		if out.Reason != inject.Corrupt {
			t.Errorf("%s: outcome %+v, want corrupt", tc.name, out)
		}
		if got, err := decodePrefix("gzip", rec.Body.Bytes()); err == nil {
			t.Errorf("%s: the cut-off response decodes cleanly, as if complete: %q", tc.name, got)
		}
	}
}

func TestCodecCorruptAfterSendingIsCutOff(t *testing.T) {
	page := codecPage(200<<10, 5)
	gz := gzipped(page)
	// Flip bytes well past MaxHeld's worth of coded input, after the
	// script went out: the response must end unterminated.
	bad := append([]byte(nil), gz...)
	for i := len(bad) * 2 / 3; i < len(bad)*2/3+64; i++ {
		bad[i] ^= 0x5a
	}
	for _, piece := range []int{0, 1000} {
		app := &bodyApp{header: htmlCoded("gzip"), body: bad, piece: piece}
		rec, out := serveCoded(app)
		if out.Reason != inject.Corrupt {
			t.Fatalf("pieces of %d: outcome %+v, want corrupt", piece, out)
		}
		if app.werr == nil {
			t.Errorf("pieces of %d: Write kept succeeding on a corrupt stream", piece)
		}
		got, err := decodePrefix("gzip", rec.Body.Bytes())
		if err == nil {
			t.Errorf("pieces of %d: the cut-off response decodes cleanly, as if complete", piece)
		}
		// Bytes decoded before the fault showed can be garbage; the first
		// half of the page cannot.
		want := injectedAfterMeta(page) // htmlCoded names no charset
		if !strings.HasPrefix(string(got), want[:len(want)/2]) {
			t.Errorf("pieces of %d: what was sent does not start with the injected page (%d bytes)", piece, len(got))
		}
	}
}

func TestCodecWarnsOncePerHandler(t *testing.T) {
	var log bytes.Buffer
	l := slog.New(slog.NewTextHandler(&log, nil))
	app := &bodyApp{header: htmlCoded("compress"), body: []byte("x")}
	h := inject.Handler(app, constScript, inject.Codecs(codecs.All()...), inject.Logger(l))
	for range 3 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}
	app.header["Content-Encoding"] = "gzip" // not gzip: corrupt
	for range 3 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want one per kind:\n%s", len(lines), log.String())
	}
	for i, want := range []string{"reason=encoded", "reason=corrupt"} {
		if !strings.Contains(lines[i], "level=WARN") || !strings.Contains(lines[i], want) ||
			!strings.Contains(lines[i], "compress(chatident(app))") {
			t.Errorf("log line %d: %s", i, lines[i])
		}
	}
	if !strings.Contains(lines[0], "content_encoding=compress") {
		t.Errorf("the log does not name the coding: %s", lines[0])
	}
}

func TestCodecReadFrom(t *testing.T) {
	page := codecPage(64<<10, 9)
	gz := gzipped(page)
	app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(gz)))
		if _, err := w.(io.ReaderFrom).ReadFrom(bytes.NewReader(gz)); err != nil {
			t.Errorf("ReadFrom: %v", err)
		}
	})
	rec, out := serveCoded(app)
	if out.Reason != inject.Injected {
		t.Fatalf("outcome %+v", out)
	}
	if got := decode(t, "gzip", rec.Body.Bytes()); string(got) != injectedAfterMeta(page) {
		t.Errorf("decoded body differs from the injected page")
	}
	checkInjectedHeaders(t, rec.Result().Header, "gzip") // the coded length is gone
}

func TestCodecRefusesDuplicateTokens(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for two gzip codecs")
		}
	}()
	inject.Handler(http.NotFoundHandler(), constScript, inject.Codecs(codecs.Gzip(), codecs.Gzip()))
}

// errWriter fails every body write, as a closed connection does.
type errWriter struct{ h http.Header }

func (e *errWriter) Header() http.Header       { return e.h }
func (e *errWriter) WriteHeader(int)           {}
func (e *errWriter) Write([]byte) (int, error) { return 0, errors.New("connection closed") }

func TestCodecWriteErrorReachesTheApplication(t *testing.T) {
	page := codecPage(100<<10, 2)
	app := &bodyApp{header: htmlCoded("gzip"), body: gzipped(page), piece: 512}
	inject.Handler(app, constScript, inject.Codecs(codecs.All()...)).
		ServeHTTP(&errWriter{h: http.Header{}}, httptest.NewRequest("GET", "/", nil))
	if app.werr == nil {
		t.Error("the application's writes succeeded on a failing connection")
	}
}

func TestCodecUTF16ByteOrderMarkInTheDecodedPage(t *testing.T) {
	// A UTF-16 page (its byte order mark decides, whatever the type says)
	// gets no script, compressed or not.
	page := "\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00<\x00h\x00e\x00a\x00d\x00>\x00"
	gz := gzipped(page)
	for _, piece := range []int{0, 1} {
		rec, out := serveCoded(&bodyApp{header: htmlCoded("gzip"), body: gz, piece: piece})
		if out.Reason != inject.Charset || !bytes.Equal(rec.Body.Bytes(), gz) {
			t.Errorf("pieces of %d: outcome %+v, body changed: %v", piece, out, !bytes.Equal(rec.Body.Bytes(), gz))
		}
	}
	// The first decoded byte comes alone, flushed by the application: with
	// the second one it is a byte order mark (Charset, the page unchanged),
	// or not (the script goes in as usual). With a Flush of the
	// ResponseWriter too, the headers go before the second byte is known.
	for _, tc := range []struct {
		page string
		want inject.Reason
	}{
		{page, inject.Charset},
		{"<html><head></head></html>", inject.Injected},
	} {
		for _, flush := range []bool{false, true} {
			app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Header().Set("Content-Encoding", "gzip")
				zw := gzip.NewWriter(w)
				io.WriteString(zw, tc.page[:1])
				zw.Flush()
				if flush {
					w.(http.Flusher).Flush() // the headers go before the second byte
				}
				io.WriteString(zw, tc.page[1:])
				zw.Close()
			})
			rec, out := serveCoded(app)
			want := tc.page
			if tc.want == inject.Injected {
				want = injectedPage(tc.page, inject.AfterHeadOpen)
			}
			if got := decode(t, "gzip", rec.Body.Bytes()); out.Reason != tc.want || string(got) != want {
				t.Errorf("%q, flush %v: outcome %+v, decoded %q", tc.page[:2], flush, out, got)
			}
		}
	}
}
