package metrics

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// Metrics counts middleware events in Prometheus. It implements
// middleware.Observer; make one with New. It is safe for concurrent use.
type Metrics struct {
	// Every series is resolved up front, in New and Labels, so Observe
	// takes no lock and allocates nothing: the per-vendor series are an
	// immutable map, replaced whole when Labels adds vendors.
	responses children
	held      prometheus.Observer
	vendors   atomic.Pointer[map[string]*vendorSeries]
	other     *vendorSeries // for vendor names outside the known set

	mu     sync.Mutex // serialises Labels
	series func(vendor string) *vendorSeries
}

// vendorSeries are one vendor label value's children of every per-vendor vector.
type vendorSeries struct {
	injections  children // by script
	resets      prometheus.Counter
	buildErrors children // by reason
	endpoint    children // by result
	notes       children // by reason
}

// children are the pre-resolved series of a vector for the known values of
// its last label, and the one that every other value shares.
type children struct {
	known map[string]prometheus.Counter
	other prometheus.Counter
}

func newChildren(vec *prometheus.CounterVec, known []string, prefix ...string) children {
	c := children{known: make(map[string]prometheus.Counter, len(known))}
	for _, k := range known {
		c.known[k] = vec.WithLabelValues(append(prefix, k)...)
	}
	c.other = vec.WithLabelValues(append(prefix, Other)...)
	return c
}

func (c children) get(value string) prometheus.Counter {
	if s, ok := c.known[value]; ok {
		return s
	}
	return c.other
}

var _ middleware.LabelObserver = (*Metrics)(nil)

// New creates the chatident series and registers them with reg, all at once:
// on an error nothing stays registered. reg is required; pass
// prometheus.DefaultRegisterer to use the global registry. Registering twice
// with one registry fails with an error that wraps
// prometheus.AlreadyRegisteredError.
func New(reg prometheus.Registerer, opts ...Option) (*Metrics, error) {
	if reg == nil {
		return nil, errors.New("metrics: New needs a prometheus.Registerer; pass prometheus.DefaultRegisterer for the global registry")
	}
	o := options{namespace: DefaultNamespace, buckets: DefaultHeldBuckets()}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}

	responses := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: o.namespace,
		Name:      "responses_total",
		Help:      "Responses that reached the middleware, by what happened to them: injected, or why not.",
	}, []string{"reason"})
	injections := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: o.namespace,
		Name:      "injections_total",
		Help:      `Vendor scripts placed in pages, by script: "identify" for a signed-in visitor or "anonymous".`,
	}, []string{"vendor", "script"})
	resets := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: o.namespace,
		Name:      "resets_total",
		Help:      "Vendor reset scripts placed in pages after a visitor signed out.",
	}, []string{"vendor"})
	endpoint := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: o.namespace,
		Name:      "endpoint_requests_total",
		Help:      `Vendor endpoint calls, by result: "issued", or the reason nothing was issued.`,
	}, []string{"vendor", "result"})
	buildErrors := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: o.namespace,
		Name:      "script_build_errors_total",
		Help:      `Vendors that failed to write their page data, by reason ("error", "panic"); the page was served without them.`,
	}, []string{"vendor", "reason"})
	notes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: o.namespace,
		Name:      "vendor_notes_total",
		Help:      `Visitors a vendor served less than usual, by reason: "ambiguous" (Webim declined to sign and served its anonymous script), "charset" (characters Webim's charset cannot hold were sent as '?'), "no_token" (no token from the vendor's API in time: HubSpot served its anonymous widget).`,
	}, []string{"vendor", "reason"})
	held := prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: o.namespace,
		Name:      "held_bytes",
		Help:      "Body bytes held back before the insertion point was found, for injected responses.",
		Buckets:   o.buckets,
	})

	m := &Metrics{
		responses: newChildren(responses, middleware.ResponseReasons()),
		held:      held,
	}
	m.series = func(vendor string) *vendorSeries {
		return &vendorSeries{
			injections:  newChildren(injections, middleware.InjectionScripts(), vendor),
			resets:      resets.WithLabelValues(vendor),
			buildErrors: newChildren(buildErrors, middleware.BuildErrorReasons(), vendor),
			endpoint:    newChildren(endpoint, middleware.EndpointResults(), vendor),
			notes:       newChildren(notes, vendors.NoteReasons(), vendor),
		}
	}
	known := make(map[string]*vendorSeries)
	for _, v := range o.vendors {
		if known[v] == nil {
			known[v] = m.series(v)
		}
	}
	m.vendors.Store(&known)
	m.other = m.series(Other)

	if err := reg.Register(collectors{responses, injections, resets, endpoint, buildErrors, notes, held}); err != nil {
		return nil, fmt.Errorf("metrics: register the chatident series: %w", err)
	}
	return m, nil
}

// Labels creates the series for the vendors a Middleware is configured
// with; middleware.New calls it (Metrics is a middleware.LabelObserver), so
// every configured vendor, built in or an application's own, has its own
// series and none is counted as "other". The other label values are the
// closed lists the producing packages export, built in at New. Names that
// are not valid vendor names are ignored.
func (m *Metrics) Labels(l middleware.Labels) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.vendors.Load()
	next := make(map[string]*vendorSeries, len(old)+len(l.Vendors))
	for k, v := range old {
		next[k] = v
	}
	for _, name := range l.Vendors {
		if next[name] == nil && checkVendorName(name) == nil {
			next[name] = m.series(name)
		}
	}
	m.vendors.Store(&next)
}

// Observe counts e. Values outside the known sets are counted under "other";
// an unknown Kind is ignored. It never blocks, allocates or panics.
func (m *Metrics) Observe(_ context.Context, e middleware.Event) {
	if m == nil {
		return
	}
	switch e.Kind {
	case middleware.EventResponse:
		m.responses.get(e.Reason).Inc()
		if e.Reason == string(inject.Injected) {
			m.held.Observe(float64(e.Held))
		}
	case middleware.EventInjection:
		m.vendor(e.Vendor).injections.get(e.Reason).Inc()
	case middleware.EventReset:
		m.vendor(e.Vendor).resets.Inc()
	case middleware.EventBuildError:
		m.vendor(e.Vendor).buildErrors.get(e.Reason).Inc()
	case middleware.EventEndpoint:
		m.vendor(e.Vendor).endpoint.get(e.Reason).Inc()
	case middleware.EventNote:
		m.vendor(e.Vendor).notes.get(e.Reason).Inc()
	}
}

func (m *Metrics) vendor(name string) *vendorSeries {
	if s, ok := (*m.vendors.Load())[name]; ok {
		return s
	}
	return m.other
}

// collectors registers several collectors as one, because a registry accepts
// or refuses a single collector whole, so a failed New leaves nothing behind.
type collectors []prometheus.Collector

func (cs collectors) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range cs {
		c.Describe(ch)
	}
}

func (cs collectors) Collect(ch chan<- prometheus.Metric) {
	for _, c := range cs {
		c.Collect(ch)
	}
}
