package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

func newTest(t *testing.T, opts ...Option) (*Metrics, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := New(reg, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	// As middleware.New does for a Middleware with the four vendors.
	m.Labels(middleware.Labels{Vendors: []string{"webim", "edna", "helpcrunch", "zendesk"}})
	return m, reg
}

func count(t *testing.T, reg prometheus.Gatherer, names ...string) int {
	t.Helper()
	n, err := testutil.GatherAndCount(reg, names...)
	if err != nil {
		t.Fatalf("GatherAndCount: %v", err)
	}
	return n
}

func TestNewNeedsRegisterer(t *testing.T) {
	m, err := New(nil)
	if err == nil || m != nil {
		t.Fatalf("New(nil) = %v, %v; want nil and an error", m, err)
	}
	if !strings.Contains(err.Error(), "DefaultRegisterer") {
		t.Errorf("error %q should say how to use the global registry", err)
	}
}

func TestNewLeavesGlobalRegistryAlone(t *testing.T) {
	newTest(t)
	mfs, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if strings.HasPrefix(mf.GetName(), "chatident_") {
			t.Errorf("global registry has %s", mf.GetName())
		}
	}
}

func TestNewTwiceOnOneRegistry(t *testing.T) {
	_, reg := newTest(t)
	before := count(t, reg)
	_, err := New(reg)
	var are prometheus.AlreadyRegisteredError
	if !errors.As(err, &are) {
		t.Fatalf("second New: %v; want an error wrapping prometheus.AlreadyRegisteredError", err)
	}
	if after := count(t, reg); after != before {
		t.Errorf("series after failed New = %d, want %d", after, before)
	}
}

func TestFailedNewRegistersNothing(t *testing.T) {
	reg := prometheus.NewRegistry()
	// Same name, different labels: the registry refuses this collector.
	clash := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "chatident_resets_total", Help: "x"}, []string{"shop"})
	reg.MustRegister(clash)
	if _, err := New(reg); err == nil {
		t.Fatal("New succeeded over a clashing chatident_resets_total")
	}
	for _, name := range []string{"chatident_responses_total", "chatident_injections_total", "chatident_held_bytes"} {
		if n := count(t, reg, name); n != 0 {
			t.Errorf("%s has %d series after a failed New, want 0", name, n)
		}
	}
}

func TestKnownSeriesStartAtZero(t *testing.T) {
	_, reg := newTest(t)
	const want = `
# HELP chatident_responses_total Responses that reached the middleware, by what happened to them: injected, or why not.
# TYPE chatident_responses_total counter
chatident_responses_total{reason="aborted"} 0
chatident_responses_total{reason="ambiguous"} 0
chatident_responses_total{reason="anonymous"} 0
chatident_responses_total{reason="bad_script"} 0
chatident_responses_total{reason="charset"} 0
chatident_responses_total{reason="corrupt"} 0
chatident_responses_total{reason="csp_blocks"} 0
chatident_responses_total{reason="encoded"} 0
chatident_responses_total{reason="error"} 0
chatident_responses_total{reason="fragment"} 0
chatident_responses_total{reason="gave_up"} 0
chatident_responses_total{reason="hijacked"} 0
chatident_responses_total{reason="identity"} 0
chatident_responses_total{reason="identity_refused"} 0
chatident_responses_total{reason="injected"} 0
chatident_responses_total{reason="method"} 0
chatident_responses_total{reason="meta_charset"} 0
chatident_responses_total{reason="no_marker"} 0
chatident_responses_total{reason="no_script"} 0
chatident_responses_total{reason="not_html"} 0
chatident_responses_total{reason="other"} 0
chatident_responses_total{reason="status"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "chatident_responses_total"); err != nil {
		t.Error(err)
	}
	// Vendor values: webim, edna, helpcrunch, zendesk and other.
	for name, want := range map[string]int{
		"chatident_resets_total": 5,
		// × identify, anonymous, other
		"chatident_injections_total": 15,
		// × error, panic, other
		"chatident_script_build_errors_total": 15,
		// × issued, anonymous, method, cross_site, error, declined, other
		"chatident_endpoint_requests_total": 35,
		// × ambiguous, charset, no_token, other
		"chatident_vendor_notes_total": 20,
	} {
		if n := count(t, reg, name); n != want {
			t.Errorf("%s: %d series, want %d", name, n, want)
		}
	}
	if n := count(t, reg, "chatident_held_bytes"); n != 1 {
		t.Errorf("chatident_held_bytes: %d series, want 1", n)
	}
}

func TestObserveCounts(t *testing.T) {
	m, reg := newTest(t)
	ctx := context.Background()
	events := []middleware.Event{
		{Kind: middleware.EventResponse, Reason: "injected", Held: 300},
		{Kind: middleware.EventResponse, Reason: "injected", Held: 40000},
		{Kind: middleware.EventResponse, Reason: "not_html", Held: 5000},
		{Kind: middleware.EventResponse, Reason: "gave_up", Held: 32768},
		{Kind: middleware.EventInjection, Vendor: "webim", Reason: "identify"},
		{Kind: middleware.EventInjection, Vendor: "webim", Reason: "identify"},
		{Kind: middleware.EventInjection, Vendor: "zendesk", Reason: "anonymous"},
		{Kind: middleware.EventReset, Vendor: "edna"},
		{Kind: middleware.EventBuildError, Vendor: "helpcrunch", Reason: "panic"},
		{Kind: middleware.EventEndpoint, Vendor: "zendesk", Reason: "issued"},
		{Kind: middleware.EventEndpoint, Vendor: "zendesk", Reason: "cross_site"},
		{Kind: middleware.EventEndpoint, Vendor: "zendesk", Reason: "cross_site"},
	}
	for _, e := range events {
		m.Observe(ctx, e)
	}
	const want = `
# HELP chatident_held_bytes Body bytes held back before the insertion point was found, for injected responses.
# TYPE chatident_held_bytes histogram
chatident_held_bytes_bucket{le="256"} 0
chatident_held_bytes_bucket{le="512"} 1
chatident_held_bytes_bucket{le="1024"} 1
chatident_held_bytes_bucket{le="2048"} 1
chatident_held_bytes_bucket{le="4096"} 1
chatident_held_bytes_bucket{le="8192"} 1
chatident_held_bytes_bucket{le="16384"} 1
chatident_held_bytes_bucket{le="32768"} 1
chatident_held_bytes_bucket{le="65536"} 2
chatident_held_bytes_bucket{le="+Inf"} 2
chatident_held_bytes_sum 40300
chatident_held_bytes_count 2
# HELP chatident_injections_total Vendor scripts placed in pages, by script: "identify" for a signed-in visitor or "anonymous".
# TYPE chatident_injections_total counter
chatident_injections_total{script="anonymous",vendor="edna"} 0
chatident_injections_total{script="anonymous",vendor="helpcrunch"} 0
chatident_injections_total{script="anonymous",vendor="other"} 0
chatident_injections_total{script="anonymous",vendor="webim"} 0
chatident_injections_total{script="anonymous",vendor="zendesk"} 1
chatident_injections_total{script="identify",vendor="edna"} 0
chatident_injections_total{script="identify",vendor="helpcrunch"} 0
chatident_injections_total{script="identify",vendor="other"} 0
chatident_injections_total{script="identify",vendor="webim"} 2
chatident_injections_total{script="identify",vendor="zendesk"} 0
chatident_injections_total{script="other",vendor="edna"} 0
chatident_injections_total{script="other",vendor="helpcrunch"} 0
chatident_injections_total{script="other",vendor="other"} 0
chatident_injections_total{script="other",vendor="webim"} 0
chatident_injections_total{script="other",vendor="zendesk"} 0
# HELP chatident_resets_total Vendor reset scripts placed in pages after a visitor signed out.
# TYPE chatident_resets_total counter
chatident_resets_total{vendor="edna"} 1
chatident_resets_total{vendor="helpcrunch"} 0
chatident_resets_total{vendor="other"} 0
chatident_resets_total{vendor="webim"} 0
chatident_resets_total{vendor="zendesk"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"chatident_held_bytes", "chatident_injections_total", "chatident_resets_total"); err != nil {
		t.Error(err)
	}
	for reason, want := range map[string]float64{"injected": 2, "not_html": 1, "gave_up": 1, "status": 0} {
		if got := testutil.ToFloat64(m.responses.known[reason]); got != want {
			t.Errorf("responses{reason=%q} = %v, want %v", reason, got, want)
		}
	}
	zendesk := (*m.vendors.Load())["zendesk"]
	for result, want := range map[string]float64{"issued": 1, "cross_site": 2, "anonymous": 0} {
		if got := testutil.ToFloat64(zendesk.endpoint.known[result]); got != want {
			t.Errorf("endpoint_requests{vendor=zendesk,result=%q} = %v, want %v", result, got, want)
		}
	}
	helpcrunch := (*m.vendors.Load())["helpcrunch"]
	for reason, want := range map[string]float64{"panic": 1, "error": 0} {
		if got := testutil.ToFloat64(helpcrunch.buildErrors.known[reason]); got != want {
			t.Errorf("script_build_errors{vendor=helpcrunch,reason=%q} = %v, want %v", reason, got, want)
		}
	}
}

// Label values come from code, not users, but a vendor of the application's
// own or a newer middleware may still send values outside the known sets:
// they must land in "other" and never create a series.
func TestHostileLabelsCreateNoSeries(t *testing.T) {
	m, reg := newTest(t)
	before := count(t, reg)
	ctx := context.Background()
	odd := []string{"", "made_up", "WEBIM", "web<im>\n", `zendesk"} 1`, "ünïcode", strings.Repeat("x", 10000), "\xff\xfe"}
	for _, s := range odd {
		m.Observe(ctx, middleware.Event{Kind: middleware.EventResponse, Reason: s, Held: 1})
		m.Observe(ctx, middleware.Event{Kind: middleware.EventInjection, Vendor: s, Reason: s})
		m.Observe(ctx, middleware.Event{Kind: middleware.EventInjection, Vendor: "edna", Reason: s})
		m.Observe(ctx, middleware.Event{Kind: middleware.EventReset, Vendor: s})
		m.Observe(ctx, middleware.Event{Kind: middleware.EventBuildError, Vendor: s, Reason: s})
		m.Observe(ctx, middleware.Event{Kind: middleware.EventBuildError, Vendor: "zendesk", Reason: s})
		m.Observe(ctx, middleware.Event{Kind: middleware.EventEndpoint, Vendor: s, Reason: s})
		m.Observe(ctx, middleware.Event{Kind: middleware.EventEndpoint, Vendor: "webim", Reason: s})
		m.Observe(ctx, middleware.Event{Kind: middleware.EventKind(99), Vendor: s, Reason: s})
		m.Observe(ctx, middleware.Event{Kind: 0, Vendor: s, Reason: s})
	}
	if after := count(t, reg); after != before {
		t.Fatalf("series: %d before hostile events, %d after", before, after)
	}
	n := float64(len(odd))
	checks := []struct {
		name string
		c    prometheus.Counter
		want float64
	}{
		{"responses{other}", m.responses.other, n},
		{"injections{other,other}", m.other.injections.other, n},
		{"injections{edna,other}", (*m.vendors.Load())["edna"].injections.other, n},
		{"resets{other}", m.other.resets, n},
		{"build_errors{other,other}", m.other.buildErrors.other, n},
		{"build_errors{zendesk,other}", (*m.vendors.Load())["zendesk"].buildErrors.other, n},
		{"endpoint{other,other}", m.other.endpoint.other, n},
		{"endpoint{webim,other}", (*m.vendors.Load())["webim"].endpoint.other, n},
		{"responses{injected}", m.responses.known["injected"], 0},
	}
	for _, c := range checks {
		if got := testutil.ToFloat64(c.c); got != c.want {
			t.Errorf("%s = %v, want %v", c.name, got, c.want)
		}
	}
	// Only injected responses feed the histogram.
	if n := testutil.CollectAndCount(m.held.(prometheus.Histogram)); n != 1 {
		t.Fatalf("held histogram has %d series", n)
	}
}

func TestNilMetricsIgnoresEvents(t *testing.T) {
	var m *Metrics
	var o middleware.Observer = m
	o.Observe(context.Background(), middleware.Event{Kind: middleware.EventResponse, Reason: "injected"})
}

func TestOptions(t *testing.T) {
	m, reg := newTest(t, Namespace("shop_chat"), ExtraVendors("acme", "acme", "webim"), HeldBuckets(1024, 4096), nil)
	m.Observe(context.Background(), middleware.Event{Kind: middleware.EventInjection, Vendor: "acme", Reason: "identify"})
	m.Observe(context.Background(), middleware.Event{Kind: middleware.EventResponse, Reason: "injected", Held: 2000})
	if n := count(t, reg, "chatident_responses_total"); n != 0 {
		t.Errorf("chatident_ series exist under Namespace(shop_chat)")
	}
	// webim, edna, helpcrunch, zendesk, acme (once) and other.
	if n := count(t, reg, "shop_chat_resets_total"); n != 6 {
		t.Errorf("shop_chat_resets_total: %d series, want 6", n)
	}
	const want = `
# HELP shop_chat_held_bytes Body bytes held back before the insertion point was found, for injected responses.
# TYPE shop_chat_held_bytes histogram
shop_chat_held_bytes_bucket{le="1024"} 0
shop_chat_held_bytes_bucket{le="4096"} 1
shop_chat_held_bytes_bucket{le="+Inf"} 1
shop_chat_held_bytes_sum 2000
shop_chat_held_bytes_count 1
# HELP shop_chat_resets_total Vendor reset scripts placed in pages after a visitor signed out.
# TYPE shop_chat_resets_total counter
shop_chat_resets_total{vendor="acme"} 0
shop_chat_resets_total{vendor="edna"} 0
shop_chat_resets_total{vendor="helpcrunch"} 0
shop_chat_resets_total{vendor="other"} 0
shop_chat_resets_total{vendor="webim"} 0
shop_chat_resets_total{vendor="zendesk"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "shop_chat_held_bytes", "shop_chat_resets_total"); err != nil {
		t.Error(err)
	}
}

func TestBadOptions(t *testing.T) {
	for name, opt := range map[string]Option{
		"empty namespace":         Namespace(""),
		"namespace with dash":     Namespace("chat-ident"),
		"namespace with colon":    Namespace("chat:ident"),
		"namespace with digit":    Namespace("9chat"),
		"no buckets":              HeldBuckets(),
		"decreasing buckets":      HeldBuckets(512, 256),
		"repeated bucket":         HeldBuckets(256, 256),
		"upper-case vendor":       ExtraVendors("Acme"),
		"vendor with a dash":      ExtraVendors("acme-chat"),
		"empty vendor":            ExtraVendors(""),
		"vendor called other":     ExtraVendors(Other),
		"vendor with odd byte":    ExtraVendors("acme\n"),
		"good then bad vendor":    ExtraVendors("acme", "b@d"),
		"vendor with a space":     ExtraVendors("acme chat"),
		"vendor non-ascii letter": ExtraVendors("acmé"),
	} {
		t.Run(name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			m, err := New(reg, opt)
			if err == nil || m != nil {
				t.Fatalf("New = %v, %v; want an error", m, err)
			}
			if n := count(t, reg); n != 0 {
				t.Errorf("%d series registered after a refused option", n)
			}
		})
	}
}

func TestConcurrentObserve(t *testing.T) {
	m, _ := newTest(t)
	const goroutines, each = 8, 500
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				m.Observe(context.Background(), middleware.Event{Kind: middleware.EventResponse, Reason: "injected", Held: i})
				m.Observe(context.Background(), middleware.Event{Kind: middleware.EventEndpoint, Vendor: "zendesk", Reason: "issued"})
			}
		}()
	}
	wg.Wait()
	if got := testutil.ToFloat64(m.responses.known["injected"]); got != goroutines*each {
		t.Errorf("injected = %v, want %d", got, goroutines*each)
	}
	if got := testutil.ToFloat64((*m.vendors.Load())["zendesk"].endpoint.known["issued"]); got != goroutines*each {
		t.Errorf("issued = %v, want %d", got, goroutines*each)
	}
}

func TestObserveAllocatesNothing(t *testing.T) {
	m, _ := newTest(t)
	ctx := context.Background()
	events := benchEvents()
	allocs := testing.AllocsPerRun(100, func() {
		for _, e := range events {
			m.Observe(ctx, e)
		}
	})
	if allocs != 0 {
		t.Errorf("Observe allocates %v times per round", allocs)
	}
}

func benchEvents() []middleware.Event {
	return []middleware.Event{
		{Kind: middleware.EventResponse, Reason: "injected", Held: 1500},
		{Kind: middleware.EventResponse, Reason: "not_html"},
		{Kind: middleware.EventInjection, Vendor: "webim", Reason: "identify"},
		{Kind: middleware.EventEndpoint, Vendor: "zendesk", Reason: "issued"},
		{Kind: middleware.EventResponse, Reason: "made_up"},
		{Kind: middleware.EventInjection, Vendor: "unknown_vendor", Reason: "identify"},
	}
}

func BenchmarkObserve(b *testing.B) {
	reg := prometheus.NewRegistry()
	m, err := New(reg)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	events := benchEvents()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Observe(ctx, events[i%len(events)])
	}
}

func BenchmarkObserveParallel(b *testing.B) {
	reg := prometheus.NewRegistry()
	m, err := New(reg)
	if err != nil {
		b.Fatal(err)
	}
	events := benchEvents()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		i := 0
		for pb.Next() {
			m.Observe(ctx, events[i%len(events)])
			i++
		}
	})
}

// TestObserveNotes checks that vendor notes are counted by vendor and reason,
// an unknown reason as other.
func TestObserveNotes(t *testing.T) {
	m, _ := newTest(t)
	ctx := context.Background()
	for _, e := range []middleware.Event{
		{Kind: middleware.EventNote, Vendor: "webim", Reason: "ambiguous"},
		{Kind: middleware.EventNote, Vendor: "webim", Reason: "charset"},
		{Kind: middleware.EventNote, Vendor: "webim", Reason: "charset"},
		{Kind: middleware.EventNote, Vendor: "webim", Reason: "no such reason"},
	} {
		m.Observe(ctx, e)
	}
	w := (*m.vendors.Load())["webim"].notes
	for _, c := range []struct {
		name string
		got  float64
		want float64
	}{
		{"ambiguous", testutil.ToFloat64(w.known["ambiguous"]), 1},
		{"charset", testutil.ToFloat64(w.known["charset"]), 2},
		{"other", testutil.ToFloat64(w.other), 1},
	} {
		if c.got != c.want {
			t.Errorf("vendor_notes_total{webim,%s} = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// TestFifthVendorGetsItsOwnSeries: a vendor that is not one of the package's
// own gets its own series from middleware.New, and nothing of it is
// counted as "other".
func TestFifthVendorGetsItsOwnSeries(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg)
	if err != nil {
		t.Fatal(err)
	}
	mw, err := middleware.New(middleware.Config{
		Vendors: []vendors.Vendor{
			&vendors.Edna{IDKey: []byte("test-key-not-a-secret-0123456789abcdef")},
			madeUp{},
		},
		Observer: m,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><head></head><body></body></html>")
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r = r.WithContext(middleware.WithVisitor(r.Context(), vendors.Visitor{ID: "u-1"}))
	h.ServeHTTP(httptest.NewRecorder(), r)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))

	if got := testutil.ToFloat64((*m.vendors.Load())["acme_chat"].injections.get("identify")); got != 1 {
		t.Errorf("acme_chat identify = %v, want 1", got)
	}
	if got := testutil.ToFloat64((*m.vendors.Load())["acme_chat"].injections.get("anonymous")); got != 1 {
		t.Errorf("acme_chat anonymous = %v, want 1", got)
	}
	for _, c := range []prometheus.Counter{m.other.injections.get("identify"), m.other.injections.get("anonymous"),
		m.other.injections.other, m.responses.other} {
		if got := testutil.ToFloat64(c); got != 0 {
			t.Errorf("counted as other: %v", got)
		}
	}
}

// madeUp is a vendor the metrics package has never heard of.
type madeUp struct{}

func (madeUp) Name() string { return "acme_chat" }
func (madeUp) Prepare(vendors.Setup) (vendors.Script, error) {
	return vendors.Script{Identify: "w.acme=d;", Anonymous: "w.acme=null;"}, nil
}
func (madeUp) Identify(context.Context, vendors.Request, vendors.Visitor, *vendors.Data) error {
	return nil
}
