package inject_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/klauspost/compress/gzhttp"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/inject/codecs"
)

// BenchmarkCodec measures what chatident adds to a page the application
// compresses itself, against the application's own compression of the
// same page:
//
//	go test -run='^$' -bench=BenchmarkCodec -benchtime=2s ./inject/
//
// "app" is the application alone: it writes the page in 4 KiB writes
// through an encoder of the coding (pooled, the same implementation and
// level chatident re-encodes with), to a ResponseWriter that discards.
// "chatident" is the same application wrapped by Handler: on top of the
// application's encoding, the page is decoded, scanned, the script
// inserted, and encoded again. The ratio of the two ns/op is the cost
// factor of wrapping a compressing application (on a loaded machine, take
// cpu-ns/op, the process's CPU time per response, rather than wall time); "gzhttp" rows do the same
// with gzhttp.GzipHandler as the application's compression, as users wire
// it (gzip and zstd, which gzhttp negotiates).
func BenchmarkCodec(b *testing.B) {
	page := []byte(codecPage(64<<10, 3))
	all := codecs.All()
	for _, cd := range all {
		app := encodingApp(page, cd)
		wrapped := inject.Handler(app, constScript, inject.Codecs(all...))
		b.Run(cd.Encoding()+"/app", func(b *testing.B) { benchServe(b, app, len(page), "") })
		b.Run(cd.Encoding()+"/chatident", func(b *testing.B) { benchServe(b, wrapped, len(page), "") })
	}
	plain := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		for i := 0; i < len(page); i += 4 << 10 {
			w.Write(page[i:min(i+4<<10, len(page))])
		}
	})
	gz := gzhttp.GzipHandler(plain)
	wrapped := inject.Handler(gz, constScript, inject.Codecs(all...))
	for _, accept := range []string{"gzip", "zstd"} {
		b.Run("gzhttp-"+accept+"/app", func(b *testing.B) { benchServe(b, gz, len(page), accept) })
		b.Run("gzhttp-"+accept+"/chatident", func(b *testing.B) { benchServe(b, wrapped, len(page), accept) })
	}
}

// encodingApp serves page encoded with cd in 4 KiB writes.
func encodingApp(page []byte, cd inject.Codec) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", cd.Encoding())
		e := cd.NewWriter(w)
		for i := 0; i < len(page); i += 4 << 10 {
			e.Write(page[i:min(i+4<<10, len(page))])
		}
		e.Close()
	})
}

// sinkRW discards the body.
type sinkRW struct{ h http.Header }

func (s *sinkRW) Header() http.Header         { return s.h }
func (s *sinkRW) WriteHeader(int)             {}
func (s *sinkRW) Write(p []byte) (int, error) { return len(p), nil }

// benchServe serves h once per iteration; bytes are the page's decoded
// bytes.
func benchServe(b *testing.B, h http.Handler, size int, accept string) {
	req := httptest.NewRequest("GET", "/", nil)
	if accept != "" {
		req.Header.Set("Accept-Encoding", accept)
	}
	w := &sinkRW{h: http.Header{}}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	cpu0, ok := cpuTime()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
	if cpu1, _ := cpuTime(); ok {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
	if w.h.Get("Content-Encoding") == "" {
		b.Fatal("the response was not compressed")
	}
}
