package site

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/chatident/chatident/metrics"
	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// The demo's vendor accounts. None of these is a secret: real sites put them
// in their pages.
const (
	demoWebimAccount      = "chatident-demo"
	demoHelpCrunchOrg     = "chatident-demo"
	demoHelpCrunchAppID   = "1"
	demoZendeskAccountKey = "chatident-demo-account-key"
)

// Config is everything the demo's handler needs; tests build one with
// known secrets and a captured logger.
type Config struct {
	Secrets Secrets
	// Logger receives the demo's and chatident's log lines; nil discards them.
	Logger *slog.Logger
	// Now is the clock for signing and for the stand-in vendor servers;
	// nil means time.Now.
	Now func() time.Time
	// WithoutChatident serves the same site with no middleware: pages carry
	// no identity script and /_chatident/ is not served. It is the baseline
	// examples/loadtest measures chatident's overhead against.
	WithoutChatident bool
	// SeedVendorsOnly configures only the four seed vendors (Webim, edna,
	// HelpCrunch, Zendesk), leaving the eight later widgets' panels empty:
	// examples/loadtest measures that configuration, so that its figures
	// stay comparable over time.
	SeedVendorsOnly bool
}

// New returns the whole demo site: the page, sign-in and sign-out, the
// stand-in widgets and their vendor servers, /metrics, and chatident around
// all of it.
func New(cfg Config) (http.Handler, error) {
	if err := cfg.Secrets.validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}

	sess := newSessions(cfg.Secrets.SessionKey, log)
	hubSpot := newHubSpotAPI(cfg.Secrets.HubSpotToken, now)
	standins, err := standinHandler(cfg.Secrets, hubSpot, now)
	if err != nil {
		return nil, err
	}

	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}

	var widgets []vendors.Vendor
	if !cfg.SeedVendorsOnly {
		widgets = demoWidgets(cfg.Secrets, hubSpot)
		registerHubSpotFailures(reg, widgets)
	}

	chat, err := middleware.New(middleware.Config{
		Vendors:  append(demoVendors(cfg.Secrets), widgets...),
		Sources:  []middleware.Source{sess.source()},
		SignOut:  middleware.SignOut{HashKey: cfg.Secrets.SignOutKey()},
		Observer: m,
		Logger:   log,
		Now:      now,
	})
	if err != nil {
		// middleware.New's error names every mistake, one per line, each
		// already starting "chatident: ".
		return nil, err
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		renderPage(w, r, log, http.StatusOK, pageData{Visitor: sess.current(r)})
	})
	mux.HandleFunc("POST /login", sess.login)
	mux.HandleFunc("POST /logout", sess.logout)
	mux.Handle(standinPrefix, standins)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if cfg.WithoutChatident {
		return securityHeaders(mux), nil
	}
	return securityHeaders(chat.Wrap(mux)), nil
}

// demoVendors configures the four seed vendors, each in chatident's default
// identity mode and pointed at the local stand-ins.
func demoVendors(s Secrets) []vendors.Vendor {
	return []vendors.Vendor{
		&vendors.Webim{
			PrivateKey: s.WebimKey,
			IDKey:      s.WebimIDKey(),
			Account:    demoWebimAccount,
			LoaderURL:  standinWebim,
		},
		&vendors.Edna{
			IDKey: s.EdnaKey,
		},
		&vendors.HelpCrunch{
			Organization: demoHelpCrunchOrg,
			AppID:        demoHelpCrunchAppID,
			Secret:       s.HelpCrunchSecret,
			WidgetURL:    standinHelpCrunch,
		},
		&vendors.Zendesk{
			Flavor:     vendors.ZendeskChatSDK,
			Secret:     s.ZendeskSecret,
			AccountKey: demoZendeskAccountKey,
			SDKURL:     standinZendesk,
		},
	}
}

// securityHeaders sets what every response of the demo should carry.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}
