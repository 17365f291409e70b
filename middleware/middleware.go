package middleware

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/inject/codecs"
	"github.com/chatident/chatident/vendors"
)

// Defaults for the Config fields that may be left empty.
const (
	// DefaultEndpointPrefix is where vendor endpoints are served when
	// Config.EndpointPrefix is empty.
	DefaultEndpointPrefix = "/_chatident/"
	// DefaultSignOutCookie names the sign-out marker cookie when
	// SignOut.CookieName is empty.
	DefaultSignOutCookie = "chatident_seen"
	// DefaultMemoSize is Config.MemoSize when left zero.
	DefaultMemoSize = 4096
)

// Middleware identifies visitors to chat widgets. Make one with New; it is
// safe for concurrent use.
type Middleware struct {
	vendors   []vendorEntry
	sources   []source
	prefix    string
	endpoints map[string]*endpoint // by full URL path; nil when no vendor has endpoints
	signOut   *signOut             // nil when disabled
	observer  Observer
	logger    *slog.Logger
	now       func() time.Time
	inject    []inject.Option
	code      []byte // the constant page script (see runtime.go)
	identity  string // the identity endpoint's path as requests arrive: prefix + identityPath

	consent        func(*http.Request) bool // nil: not needed
	withoutConsent ConsentMode
	everyPage      bool

	pages sync.Pool // of *page
}

// vendorEntry is one configured vendor with what New worked out about it.
type vendorEntry struct {
	v         vendors.Vendor
	anon      vendors.AnonymousData // nil when v has no anonymous data
	name      string
	key       string // `"name":{`, the start of its entry in the page data
	route     string // where its endpoints are matched: prefix + name + "/"
	base      string // Request.Endpoints, the URL path pages fetch: MountPath + route
	script    vendors.Script
	endpoints []vendors.Endpoint
}

// New checks cfg and returns a Middleware. Every configuration mistake is
// reported here, never per request: all of them at once, each naming the
// vendor (index and Name()) or source and the field at fault. A vendor's own
// *vendors.ConfigError stays reachable with errors.As. New also prepares
// every vendor (vendors.Vendor.Prepare) and builds the constant page script.
//
// New also refuses one key in two places: the keys of every vendor that
// implements vendors.KeyHolder (Webim's PrivateKey and IDKey, Edna's IDKey,
// HelpCrunch's and Zendesk's Secret), SignOut.HashKey and PreviousHashKeys,
// and the keys of SessionCookie and JWTCookie sources must all differ; the
// error names both fields, never the key.
func New(cfg Config) (*Middleware, error) {
	m := &Middleware{
		prefix:   cfg.EndpointPrefix,
		observer: cfg.Observer,
		logger:   cfg.Logger,
		now:      cfg.Now,

		consent:        cfg.Consent,
		withoutConsent: cfg.WithoutConsent,
		everyPage:      cfg.EveryPage,
	}
	if m.prefix == "" {
		m.prefix = DefaultEndpointPrefix
	}
	m.identity = m.prefix + identityPath
	memo := cfg.MemoSize
	switch {
	case memo == 0:
		memo = DefaultMemoSize
	case memo < 0:
		memo = 0
	}
	entries, code, err := validate(cfg, m.prefix, cfg.MountPath, memo)
	if err != nil {
		return nil, err
	}
	m.vendors, m.code = entries, code
	for i, s := range cfg.Sources {
		m.sources = append(m.sources, source{Source: s, index: i})
	}
	if m.logger == nil {
		m.logger = slog.Default()
	}
	if m.now == nil {
		m.now = time.Now
	}
	for i := range m.vendors {
		e := &m.vendors[i]
		// Pages fetch the endpoints under MountPath; requests arrive here
		// with it stripped, and are matched without it.
		for _, ep := range e.endpoints {
			if m.endpoints == nil {
				m.endpoints = make(map[string]*endpoint)
			}
			m.endpoints[e.route+ep.Path] = &endpoint{vendor: e, serve: ep.Serve}
		}
	}
	if !cfg.SignOut.Disabled {
		m.signOut = newSignOut(cfg.SignOut, memo)
		if len(cfg.SignOut.HashKey) == 0 {
			// Once per New, not per request: the setting is wrong for the
			// process's whole life, and per-request records would drown it.
			m.logger.Warn("chatident: SignOut.HashKey is not set, so the sign-out marker is signed with a random key made now;"+
				" markers from before a restart or from another instance do not verify, and those browsers get no reset after sign-out",
				"fix", "set Config.SignOut.HashKey to the same secret of at least 32 bytes on every instance")
		}
	}
	// An inject.At in cfg.Inject overrides Placement; inject.Codecs() there
	// turns decoding off; an inject.Documents there overrides Navigation.
	m.inject = make([]inject.Option, 0, len(cfg.Inject)+4)
	m.inject = append(m.inject, inject.At(cfg.Placement),
		inject.Codecs(codecs.All()...), inject.Logger(m.logger), inject.Documents(cfg.Navigation))
	m.inject = append(m.inject, cfg.Inject...)
	n := len(m.vendors)
	m.pages.New = func() any { return &page{m: m, placed: make([]uint8, n)} }
	if lo, ok := m.observer.(LabelObserver); ok {
		names := make([]string, n)
		for i, e := range m.vendors {
			names[i] = e.name
		}
		lo.Labels(Labels{
			Vendors:     names,
			Responses:   ResponseReasons(),
			Injections:  InjectionScripts(),
			BuildErrors: BuildErrorReasons(),
			Endpoints:   EndpointResults(),
			Notes:       vendors.NoteReasons(),
		})
	}
	return m, nil
}

// Wrap returns next wrapped: vendor endpoints are served under the endpoint
// prefix, and HTML responses get the page script.
//
// Requests under the endpoint prefix that match no vendor endpoint get 404
// Not Found, and nothing the application writes for them reaches the
// client: the prefix belongs to chatident, and an application's catch-all
// route (an SPA fallback serving index.html for every path, say) would
// otherwise answer a mistyped endpoint URL with a page. (next is still
// called, with a ResponseWriter that holds its answer back, so that
// another instance inside it can answer its own endpoints: see below.)
//
// The identity endpoint, GET <EndpointPrefix>identity, serves the visitor's
// page data as JSON for the page's runtime, which applies it after the
// visitor changes without a page load: after htmx-boosted swaps and history
// restores, Turbo Drive visits, back/forward-cache restores, and on
// window.chatident.refresh() (see serveIdentity in identity.go for its
// answers, and client.go for the runtime).
//
// An instance whose handler runs inside another instance's (nesting, by
// mistake or by design) passes pages through untouched, so a page gets one
// script and one sign-out marker, the outer instance's. Each instance still
// answers its own endpoints, also when both share an EndpointPrefix and a
// router sits between them: for a path under its prefix that it does not
// serve, an instance calls next with a ResponseWriter that holds the answer
// back until an instance further in claims the path as its own endpoint;
// when none does, whatever next wrote is dropped, a hijack is refused, and
// the answer is 404. A wrapper between the two that hides the writer
// without an Unwrap method hides the outer instance (and its claim) too.
// Where the two prefixes collide, the outer instance answers: both serve
// <EndpointPrefix>identity, so with one prefix the page runtime gets the
// outer instance's identity data, the one its page script carries.
//
// Wrap panics if next is nil. Its options were checked by New.
func (m *Middleware) Wrap(next http.Handler) http.Handler {
	if next == nil {
		panic("middleware: Wrap(nil)")
	}
	h := &handler{m: m, app: next, next: inject.HandlerFor(next, m.open, m.inject...)}
	h.inner, _ = next.(*handler)
	return h
}

type handler struct {
	m     *Middleware
	app   http.Handler // next as given to Wrap
	next  http.Handler // next inside inject.HandlerFor
	inner *handler     // next, when it is another Middleware's handler
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := h.m
	if strings.HasPrefix(r.URL.Path, m.prefix) {
		if r.URL.Path == m.identity {
			claimProbes(w)
			m.serveIdentity(w, r)
			return
		}
		if m.endpoints[r.URL.Path] != nil {
			claimProbes(w)
			m.serveEndpoint(w, r)
			return
		}
		if h.serveNestedEndpoint(w, r) {
			return
		}
		// Not this instance's: perhaps one further in, behind a router
		// (see nested.go).
		h.serveProbed(w, r)
		return
	}
	if nested(w) {
		// Another instance outside this one answers for the page: see
		// nested.go.
		h.app.ServeHTTP(w, r)
		return
	}
	h.next.ServeHTTP(w, r)
}
