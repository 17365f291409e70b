package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// discardWriter keeps nothing but its headers, cleared for each request, so
// that the benchmark measures the site's handler without a network.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkDemoPage is the load test's GET / without the network: the demo's
// handler, wrapped and bare, for an anonymous visitor and a signed-in one
// holding their session cookie and chatident's sign-out marker. The
// difference between the sides is what chatident adds to one page.
func BenchmarkDemoPage(b *testing.B) {
	quiet := func(string) *slog.Logger { return slog.New(slog.DiscardHandler) }
	sides, err := demoSides(quiet)
	if err != nil {
		b.Fatal(err)
	}
	for _, sd := range sides {
		// Sign in over a real server, as the load test does, for the cookies.
		s, err := startServer(sd, defaultConfig(), quiet(sd.Name))
		if err != nil {
			b.Fatal(err)
		}
		err = s.signIn(b.Context(), 1)
		if cerr := s.close(); err == nil {
			err = cerr
		}
		if err != nil {
			b.Fatal(err)
		}
		for _, identified := range []bool{false, true} {
			name := sd.Name + "/anonymous"
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if identified {
				name = sd.Name + "/identified"
				r.Header["Cookie"] = s.cookies[0]
			}
			b.Run(name, func(b *testing.B) {
				w := &discardWriter{h: make(http.Header)}
				b.ReportAllocs()
				for b.Loop() {
					clear(w.h)
					sd.Handler.ServeHTTP(w, r)
				}
			})
		}
	}
}
