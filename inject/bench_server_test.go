package inject

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkServer measures whole responses through a real net/http server on
// loopback, read by a keep-alive client: the setting chatident runs in, where
// each Write reaches net/http's buffers and the socket. Beside BenchmarkWriter
// (whose discarding sink isolates the wrapper's own cost) this gives the
// throughput ratio a site actually sees. Run both in one go:
//
//	go test -run='^$' -bench='Server|Writer' -count=5 ./inject/
//
// Client and server share the machine's cores, so compare variants within
// one run, not across machines.
func BenchmarkServer(b *testing.B) {
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
			{"inject-BeforeBodyClose", Handler(html, scriptFn, At(BeforeBodyClose))},
		}
		for _, v := range variants {
			b.Run(sz.name+"/"+v.name, func(b *testing.B) {
				srv := httptest.NewServer(v.h)
				defer srv.Close()
				client := srv.Client()
				get := func() int64 {
					resp, err := client.Get(srv.URL)
					if err != nil {
						b.Fatal(err)
					}
					n, err := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err != nil {
						b.Fatal(err)
					}
					return n
				}
				if n := get(); n < int64(len(page)) {
					b.Fatalf("short body: %d of %d bytes", n, len(page))
				}
				b.SetBytes(int64(len(page)))
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					get()
				}
			})
		}
	}
}
