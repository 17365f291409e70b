package metrics

import (
	"context"
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/middleware"
)

// Metrics counts middleware events in Prometheus. It implements
// middleware.Observer; make one with New. It is safe for concurrent use.
type Metrics struct {
	// Every series is resolved once in New and the maps are only read
	// afterwards, so Observe takes no lock and allocates nothing.
	responses     map[string]prometheus.Counter
	otherResponse prometheus.Counter
	held          prometheus.Observer
	vendors       map[string]*vendorSeries
	otherVendor   *vendorSeries
}

// vendorSeries are one vendor label value's children of every per-vendor vector.
type vendorSeries struct {
	injections  prometheus.Counter
	resets      prometheus.Counter
	buildErrors prometheus.Counter
	endpoint    map[string]prometheus.Counter
	otherResult prometheus.Counter
}

var _ middleware.Observer = (*Metrics)(nil)

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
		Help:      "Vendor identity or anonymous scripts placed in pages.",
	}, []string{"vendor"})
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
		Help:      "Scripts a vendor failed to build; the page was served without them.",
	}, []string{"vendor"})
	held := prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: o.namespace,
		Name:      "held_bytes",
		Help:      "Body bytes held back before the insertion point was found, for injected responses.",
		Buckets:   o.buckets,
	})

	m := &Metrics{
		responses: make(map[string]prometheus.Counter),
		held:      held,
		vendors:   make(map[string]*vendorSeries),
	}
	for _, r := range responseReasons() {
		m.responses[r] = responses.WithLabelValues(r)
	}
	m.otherResponse = responses.WithLabelValues(Other)

	series := func(vendor string) *vendorSeries {
		s := &vendorSeries{
			injections:  injections.WithLabelValues(vendor),
			resets:      resets.WithLabelValues(vendor),
			buildErrors: buildErrors.WithLabelValues(vendor),
			endpoint:    make(map[string]prometheus.Counter),
			otherResult: endpoint.WithLabelValues(vendor, Other),
		}
		for _, r := range endpointResults() {
			s.endpoint[r] = endpoint.WithLabelValues(vendor, r)
		}
		return s
	}
	for _, v := range append(builtinVendors(), o.vendors...) {
		if m.vendors[v] == nil {
			m.vendors[v] = series(v)
		}
	}
	m.otherVendor = series(Other)

	if err := reg.Register(collectors{responses, injections, resets, endpoint, buildErrors, held}); err != nil {
		return nil, fmt.Errorf("metrics: register the chatident series: %w", err)
	}
	return m, nil
}

// Observe counts e. Values outside the known sets are counted under "other";
// an unknown Kind is ignored. It never blocks, allocates or panics.
func (m *Metrics) Observe(_ context.Context, e middleware.Event) {
	if m == nil {
		return
	}
	switch e.Kind {
	case middleware.EventResponse:
		c, ok := m.responses[e.Reason]
		if !ok {
			c = m.otherResponse
		}
		c.Inc()
		if e.Reason == string(inject.Injected) {
			m.held.Observe(float64(e.Held))
		}
	case middleware.EventInjection:
		m.vendor(e.Vendor).injections.Inc()
	case middleware.EventReset:
		m.vendor(e.Vendor).resets.Inc()
	case middleware.EventBuildError:
		m.vendor(e.Vendor).buildErrors.Inc()
	case middleware.EventToken:
		s := m.vendor(e.Vendor)
		c, ok := s.endpoint[e.Reason]
		if !ok {
			c = s.otherResult
		}
		c.Inc()
	}
}

func (m *Metrics) vendor(name string) *vendorSeries {
	if s, ok := m.vendors[name]; ok {
		return s
	}
	return m.otherVendor
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
