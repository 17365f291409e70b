package metrics_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/chatident/chatident/metrics"
	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// greeter stands in for a real vendor: it greets every visitor.
type greeter struct{}

func (greeter) Name() string { return "greeter" }
func (greeter) Prepare(vendors.Setup) (vendors.Script, error) {
	return vendors.Script{Identify: `w.greeting="signed in";`, Anonymous: `w.greeting="anonymous";`}, nil
}
func (greeter) Identify(context.Context, vendors.Request, vendors.Visitor, *vendors.Data) error {
	return nil
}

func Example() {
	// A registry of the application's own: nothing goes to the global one.
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg) // the vendors' series come from middleware.New

	if err != nil {
		log.Fatal(err)
	}
	mw, err := middleware.New(middleware.Config{
		Vendors:  []vendors.Vendor{greeter{}},
		Observer: m,
	})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("/", mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><html><head><title>Shop</title></head><body>Hello</body></html>")
	})))
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	page, err := http.Get(srv.URL + "/")
	if err != nil {
		log.Fatal(err)
	}
	page.Body.Close()

	res, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	lines := bufio.NewScanner(res.Body)
	for lines.Scan() {
		line := lines.Text()
		if strings.HasPrefix(line, `chatident_responses_total{reason="injected"}`) ||
			strings.HasPrefix(line, `chatident_injections_total{script="anonymous",vendor="greeter"}`) ||
			strings.HasPrefix(line, "chatident_held_bytes_count") {
			fmt.Println(line)
		}
	}
	// Output:
	// chatident_held_bytes_count 1
	// chatident_injections_total{script="anonymous",vendor="greeter"} 1
	// chatident_responses_total{reason="injected"} 1
}
