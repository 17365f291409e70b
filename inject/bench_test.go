package inject

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

// Run all of these in one go, for ratios measured under the same load:
//
//	go test -run='^$' -bench=. -benchtime=1s ./inject/
//
// Every response is written in 4 KiB writes, as a template engine or a
// proxy would, to a ResponseWriter that only discards (no recorder
// buffering), so what is measured is the wrapper's own cost. Against that
// sink a bare Write costs about a nanosecond, so the throughput ratio to
// "passthrough" is the wrapper's fixed cost per response (pool, decision,
// headers) and per Write call (the writer's lock) over almost nothing; in a
// server, where each 4 KiB write costs microseconds, the same costs are a
// few per cent. The bufio sink (net/http's 4 KiB response buffer over
// io.Discard) is a reference between the two.

var benchSizes = []struct {
	name string
	size int
}{
	{"2KiB", 2 << 10},
	{"64KiB", 64 << 10},
	{"1MiB", 1 << 20},
	{"16MiB", 16 << 20},
}

// discardRW implements only Header, Write and WriteHeader, and drops
// the body.
type discardRW struct{ h http.Header }

func (d *discardRW) Header() http.Header         { return d.h }
func (d *discardRW) WriteHeader(int)             {}
func (d *discardRW) Write(p []byte) (int, error) { return len(p), nil }

// bufioRW copies the body into a 4 KiB buffer over io.Discard, as
// net/http's response does with its bufio.Writer.
type bufioRW struct {
	h  http.Header
	bw *bufio.Writer
}

func (d *bufioRW) Header() http.Header         { return d.h }
func (d *bufioRW) WriteHeader(int)             {}
func (d *bufioRW) Write(p []byte) (int, error) { return d.bw.Write(p) }

// app4K serves page with the given Content-Type in 4 KiB writes.
func app4K(page []byte, ctype string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		for i := 0; i < len(page); i += 4 << 10 {
			w.Write(page[i:min(i+4<<10, len(page))])
		}
	})
}

// bufferAll is the naive alternative: hold the whole body, insert with
// bytes.Index, write it out.
func bufferAll(next http.Handler, script []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &captureRW{h: w.Header()}
		next.ServeHTTP(cw, r)
		body := cw.buf.Bytes()
		if i := bytes.Index(body, []byte("<head>")); i >= 0 {
			i += len("<head>")
			w.Write(body[:i])
			w.Write([]byte("<script>"))
			w.Write(script)
			w.Write([]byte("</script>"))
			w.Write(body[i:])
			return
		}
		w.Write(body)
	})
}

type captureRW struct {
	h   http.Header
	buf bytes.Buffer
}

func (c *captureRW) Header() http.Header         { return c.h }
func (c *captureRW) WriteHeader(int)             {}
func (c *captureRW) Write(p []byte) (int, error) { return c.buf.Write(p) }

func BenchmarkWriter(b *testing.B) {
	script := []byte(testScript)
	scriptFn := func(*http.Request) []byte { return script }
	for _, sz := range benchSizes {
		page := []byte(genPage(sz.size))
		html := app4K(page, "text/html; charset=utf-8")
		variants := []struct {
			name string
			h    http.Handler
		}{
			{"passthrough", html},
			{"wrapped-not-html", Handler(app4K(page, "application/octet-stream"), scriptFn)},
			{"inject-AfterHeadOpen", Handler(html, scriptFn)},
			{"inject-BeforeHeadClose", Handler(html, scriptFn, At(BeforeHeadClose))},
			{"inject-BeforeBodyClose", Handler(html, scriptFn, At(BeforeBodyClose))},
			{"buffer-everything", bufferAll(html, script)},
		}
		for _, v := range variants {
			for _, sink := range []string{"discard", "bufio"} {
				if sink == "bufio" && v.name != "passthrough" && v.name != "inject-AfterHeadOpen" {
					continue
				}
				b.Run(sz.name+"/"+v.name+"/"+sink, func(b *testing.B) {
					var w http.ResponseWriter
					h := http.Header{}
					if sink == "discard" {
						w = &discardRW{h: h}
					} else {
						w = &bufioRW{h: h, bw: bufio.NewWriterSize(io.Discard, 4<<10)}
					}
					req := httptest.NewRequest(http.MethodGet, "/", nil)
					b.SetBytes(int64(len(page)))
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						clear(h)
						v.h.ServeHTTP(w, req)
					}
				})
			}
		}
	}
}

// BenchmarkHeapGrowth16MiB reports the memory one 16 MiB response costs,
// from runtime.ReadMemStats around single responses:
//
//   - cold-alloc-B: bytes allocated by the first response of a new Handler,
//     whose pool is empty (it makes the held-bytes buffer);
//   - alloc-B/resp: bytes allocated by the next response, pool warm;
//   - heap-growth-B: live heap after that response and a GC, minus live
//     heap before it (after a GC): what a response leaves behind.
func BenchmarkHeapGrowth16MiB(b *testing.B) {
	page := []byte(genPage(16 << 20))
	html := app4K(page, "text/html; charset=utf-8")
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	script := []byte(testScript)
	scriptFn := func(*http.Request) []byte { return script }
	for _, p := range placements {
		b.Run(p.String(), func(b *testing.B) {
			h := Handler(html, scriptFn, At(p))
			w := &discardRW{h: http.Header{}}
			var ms0, ms1 runtime.MemStats

			runtime.GC()
			runtime.ReadMemStats(&ms0)
			h.ServeHTTP(w, req)
			runtime.ReadMemStats(&ms1)
			cold := ms1.TotalAlloc - ms0.TotalAlloc

			clear(w.h)
			runtime.ReadMemStats(&ms0)
			h.ServeHTTP(w, req)
			runtime.ReadMemStats(&ms1)
			warm := ms1.TotalAlloc - ms0.TotalAlloc

			clear(w.h)
			runtime.GC()
			runtime.ReadMemStats(&ms0)
			h.ServeHTTP(w, req)
			runtime.GC()
			runtime.ReadMemStats(&ms1)
			growth := int64(ms1.HeapAlloc) - int64(ms0.HeapAlloc)

			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				clear(w.h)
				h.ServeHTTP(w, req)
			}
			b.StopTimer()
			b.ReportMetric(float64(cold), "cold-alloc-B")
			b.ReportMetric(float64(warm), "alloc-B/resp")
			b.ReportMetric(float64(growth), "heap-growth-B")
		})
	}
}
