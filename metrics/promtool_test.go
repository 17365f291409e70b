package metrics

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/chatident/chatident/internal/testenv"
	"github.com/chatident/chatident/middleware"
)

// scrape returns what Prometheus would scrape from a registry holding a
// Metrics that has seen one event of each kind.
func scrape(t *testing.T) (*prometheus.Registry, []byte) {
	t.Helper()
	m, reg := newTest(t, ExtraVendors("acme"))
	ctx := context.Background()
	for _, e := range []middleware.Event{
		{Kind: middleware.EventResponse, Reason: "injected", Held: 700},
		{Kind: middleware.EventResponse, Reason: "made_up"},
		{Kind: middleware.EventInjection, Vendor: "acme", Reason: "identify"},
		{Kind: middleware.EventReset, Vendor: "webim"},
		{Kind: middleware.EventEndpoint, Vendor: "zendesk", Reason: "issued"},
		{Kind: middleware.EventBuildError, Vendor: "edna", Reason: "error"},
	} {
		m.Observe(ctx, e)
	}
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: status %d", rec.Code)
	}
	return reg, rec.Body.Bytes()
}

// TestPromtoolCheckMetrics runs the exposition through Prometheus's own
// linter. promtool comes with Debian's prometheus package; CI installs it.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool := testenv.LookPath(t, "promtool", "install Debian's prometheus package (apt-get install prometheus)")
	_, exposition := scrape(t)
	if !bytes.Contains(exposition, []byte("chatident_held_bytes_bucket")) {
		t.Fatalf("exposition lacks the histogram:\n%s", exposition)
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(exposition)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check metrics: %v\n%s\nexposition:\n%s", err, out, exposition)
	}
	if len(bytes.TrimSpace(out)) != 0 {
		t.Errorf("promtool check metrics reported:\n%s", out)
	}
}

// TestLint is the in-process twin of the promtool check, so the naming rules
// are checked even where promtool is missing.
func TestLint(t *testing.T) {
	reg, _ := scrape(t)
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}
