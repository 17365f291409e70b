package vendors

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// HubSpot identifies signed-in visitors to the HubSpot chat widget with
// HubSpot's visitor identification. Unlike the other widgets nothing is
// signed on the site: the server asks HubSpot's API for a token
//
//	POST {APIBase}/visitor-identification/v3/tokens/create
//	Authorization: Bearer <Token>
//	{"email": "…", "firstName": "…", "lastName": "…"}
//
// and the page gets, before HubSpot's loader
// (https://js.hs-scripts.com/<PortalID>.js):
//
//	window.hsConversationsSettings = {loadImmediately: false,
//	    identificationEmail: "…", identificationToken: "…"};
//
// then HubSpotConversations.widget.load() once the API is ready.
//
// # A page never waits long for HubSpot
//
// The token is opaque, different on every call and valid 12 hours, so it is
// cached per visitor: keyed by the exact bytes of the request body (e-mail
// and names, never a hash of them), for CacheTTL (11 hours by default, so a
// page served from the cache still holds a token valid an hour or more),
// at most CacheSize visitors, least recently used first out. A page that
// needs a new token waits at most Timeout (300 ms by default); concurrent
// first pages of the same visitor share one API call. A call that fails —
// timeout, 403 (the account's plan lacks visitor identification, or the
// private app lacks the scope), another 4xx, 5xx, an unreadable answer —
// gives that page the anonymous widget; the failure is noted
// (Request.Notes, reason NoteNoToken, which the middleware counts),
// counted by cause (Failures) and logged once per cause (without visitor
// values), and for RetryAfter (30 s by
// default) no page calls the API at all, so a dead API costs pages nothing.
//
// # Identity
//
// HubSpot identifies by e-mail: a visitor without one gets the anonymous
// widget. Names are sent only when Names is set.
//
// Anonymous visitors get the loader alone. Reset after sign-out deletes the
// identification fields and calls HubSpotConversations.clear({resetWidget:
// true}) once the API is ready. An in-place identity change sets the new
// fields, then widget.remove() and widget.load(). All calls used here are
// documented by HubSpot; widget.refresh() is not used, since whether it
// picks up new identification fields is unconfirmed.
//
// # Secrets
//
// Token is a private app's access token with the scope
// conversations.visitor_identification.tokens.create. It never reaches the
// browser; the visitor's token does, and is valid 12 hours for that e-mail.
// Visitor identification needs a Professional or Enterprise plan.
//
// # Content Security Policy
//
// Not covered by HubSpot's visitor identification documentation.
//
// Build the value once and do not change its fields after passing it to
// middleware.New: requests read it concurrently. Copies share one cache.
type HubSpot struct {
	// PortalID is the HubSpot account (hub) id, digits only, required.
	PortalID string
	// Token is the private app access token (required, at least 16 bytes).
	Token []byte
	// APIBase is HubSpot's API; HubSpotAPIBase by default. Tests and local
	// stand-ins point it elsewhere (https; http only for localhost).
	APIBase string
	// Client makes the API calls; by default a client that follows no
	// redirects. Its own Timeout, if any, applies on top of Timeout.
	Client *http.Client
	// Timeout is the most a page waits for a token; 300 ms by default, at
	// least 10 ms and at most 5 s.
	Timeout time.Duration
	// CacheSize is how many visitors' tokens are kept; 10000 by default.
	CacheSize int
	// CacheTTL is how long a token is reused; 11 hours by default, at most
	// 11 hours (HubSpot's tokens live 12).
	CacheTTL time.Duration
	// RetryAfter is how long no API call is made after one failed; 30 s by
	// default, at most an hour.
	RetryAfter time.Duration
	// Names, when set, returns the firstName and lastName to send for a
	// visitor (empty ones are left out).
	Names func(Visitor) (first, last string)
	// Logger receives the once-per-cause failure records; slog.Default()
	// by default.
	Logger *slog.Logger
	// ScriptURL is the widget's script, https://js.hs-scripts.com/<PortalID>.js
	// by default: set it only to serve the widget from elsewhere (a local
	// stand-in, a proxy). An absolute http(s) URL or a path on the site.
	ScriptURL string

	tokens atomic.Value // *hubSpotTokens, set by the first Validate that succeeds
}

// HubSpotAPIBase is the public HubSpot API.
const HubSpotAPIBase = "https://api.hubapi.com"

const (
	hubSpotName              = "hubspot"
	hubSpotDefaultTimeout    = 300 * time.Millisecond
	hubSpotDefaultCacheSize  = 10000
	hubSpotMaxCacheTTL       = 11 * time.Hour
	hubSpotDefaultRetryAfter = 30 * time.Second
)

// Name returns "hubspot".
func (h *HubSpot) Name() string { return hubSpotName }

// Validate reports every configuration mistake, each a *ConfigError,
// joined with errors.Join.
func (h *HubSpot) Validate() error {
	errs := []error{
		checkID(hubSpotName, "PortalID", h.PortalID, 20, ""),
		checkKey(hubSpotName, "Token", h.Token),
	}
	if h.PortalID != "" && strings.Trim(h.PortalID, "0123456789") != "" {
		errs = append(errs, configErr(hubSpotName, "PortalID", "is not a number"))
	}
	if h.APIBase != "" {
		errs = append(errs, checkBaseURL(hubSpotName, "APIBase", h.APIBase))
	}
	switch {
	case h.Timeout < 0:
		errs = append(errs, configErr(hubSpotName, "Timeout", "is negative"))
	case h.Timeout != 0 && h.Timeout < 10*time.Millisecond:
		errs = append(errs, configErr(hubSpotName, "Timeout", "is shorter than 10ms"))
	case h.Timeout > 5*time.Second:
		errs = append(errs, configErr(hubSpotName, "Timeout", "is longer than 5s: pages would wait on HubSpot"))
	}
	if h.CacheSize < 0 {
		errs = append(errs, configErr(hubSpotName, "CacheSize", "is negative"))
	}
	switch {
	case h.CacheTTL < 0:
		errs = append(errs, configErr(hubSpotName, "CacheTTL", "is negative"))
	case h.CacheTTL > hubSpotMaxCacheTTL:
		errs = append(errs, configErr(hubSpotName, "CacheTTL", "is longer than 11h; HubSpot's tokens expire after 12h"))
	}
	switch {
	case h.RetryAfter < 0:
		errs = append(errs, configErr(hubSpotName, "RetryAfter", "is negative"))
	case h.RetryAfter > time.Hour:
		errs = append(errs, configErr(hubSpotName, "RetryAfter", "is longer than an hour"))
	}
	if h.ScriptURL != "" {
		errs = append(errs, checkScriptURL(hubSpotName, "ScriptURL", h.ScriptURL))
	}
	return errors.Join(errs...)
}

// Prepare checks the configuration, builds the token client (once: later
// calls keep the first one and its cache) and returns the widget's
// constant code:
//
//   - Identify, for data with a token, sets hsConversationsSettings
//     (loadImmediately false, identificationEmail, identificationToken) and
//     calls HubSpotConversations.widget.load() once the API is ready; then,
//     as for data without one (the anonymous widget), loads the loader;
//   - Anonymous loads the loader;
//   - Reset deletes the identification fields and calls
//     HubSpotConversations.clear({resetWidget: true}) once ready;
//   - Update sets the new fields, then widget.remove() and widget.load().
func (h *HubSpot) Prepare(s Setup) (Script, error) {
	if err := h.Validate(); err != nil {
		return Script{}, err
	}
	if h.tokens.Load() == nil {
		h.tokens.CompareAndSwap(nil, newHubSpotTokens(h))
	}
	c := h.config()
	return Script{
		Identify:  widgetBody(c, hubSpotLoad, hubSpotSet, `if(d&&d.token){set(d);ready(reload)}load();`),
		Anonymous: widgetBody(c, hubSpotLoad, `load();`),
		Reset: widgetBody(c, hubSpotReady,
			`var s=w.hsConversationsSettings;if(s){delete s.identificationEmail;delete s.identificationToken}ready(function(h){h.clear({resetWidget:true})});`),
		Update: widgetBody(c, hubSpotLoad, hubSpotSet,
			`if(!d||!d.token){return}set(d);var h=api();if(h){h.widget.remove();h.widget.load()}else{ready(reload);load()}`),
	}, nil
}

// Identify writes {email, token} for v, or nothing when v gets the
// anonymous widget: no e-mail, or no token within the budget (counted and
// logged by the token client).
func (h *HubSpot) Identify(ctx context.Context, r Request, v Visitor, d *Data) error {
	return h.write(ctx, r, d, v)
}

// Failures returns how many pages got the anonymous widget because no
// token came, by reason (each of HubSpotReasons, zeros included), since
// Prepare; nil before it. Export them to your metrics, for example with one
// prometheus.CounterFunc per reason (the demo does).
func (h *HubSpot) Failures() map[string]uint64 {
	t := h.client()
	if t == nil {
		return nil
	}
	return t.failureCounts()
}

// client returns the token client Prepare built, or nil before it ran.
func (h *HubSpot) client() *hubSpotTokens {
	t, _ := h.tokens.Load().(*hubSpotTokens)
	return t
}

func (h *HubSpot) config() Object {
	return Object{{"portal_id", h.PortalID}, {"src", h.scriptURL()}}
}

// write writes {email, token} for v, or nothing when v gets the anonymous
// widget: no e-mail, or no token within the budget (counted by cause and
// logged by the token client, and noted as NoteNoToken). It needs Prepare
// first.
func (h *HubSpot) write(ctx context.Context, r Request, s dataSink, v Visitor) error {
	if v.ID == "" {
		return ErrNoVisitorID
	}
	t := h.client()
	if t == nil {
		return errNotPrepared
	}
	if v.Email == "" {
		return nil
	}
	var first, last string
	if h.Names != nil {
		first, last = h.Names(v)
	}
	email := toValidUTF8(v.Email)
	tok, reason := t.token(ctx, email, toValidUTF8(first), toValidUTF8(last))
	if reason != "" {
		r.note(hubSpotName, NoteNoToken)
		return nil
	}
	s.String("email", email)
	s.String("token", tok)
	return nil
}

// The widget's code, through hsConversationsSettings, which HubSpot reads
// when the widget loads, and HubSpotConversations, which exists once the
// API is ready (hsConversationsOnReady runs then).
const (
	hubSpotReady jsCode = `function api(){var h=w.HubSpotConversations;return h&&h.widget?h:null}` +
		`function ready(f){var h=api();if(h){f(h);return}if(!w.hsConversationsOnReady){w.hsConversationsOnReady=[]}` +
		`w.hsConversationsOnReady.push(function(){var h=api();if(h){f(h)}})}`
	hubSpotLoad jsCode = hubSpotReady + jsLoadDecl +
		`function load(){L(w.document,c.src)}`
	hubSpotSet jsCode = `function set(v){var s=w.hsConversationsSettings;if(!s){s=w.hsConversationsSettings={}}` +
		`s.loadImmediately=false;s.identificationEmail=v.email;s.identificationToken=v.token}` +
		`function reload(h){var st=typeof h.widget.status==="function"?h.widget.status():null;if(st&&st.loaded){h.widget.remove()}h.widget.load()}`
)

// scriptURL returns ScriptURL or the vendor's own.
func (h *HubSpot) scriptURL() string {
	if h.ScriptURL != "" {
		return h.ScriptURL
	}
	return "https://js.hs-scripts.com/" + h.PortalID + ".js"
}

// Keys returns Token (the private app token), for middleware.New's check that no key serves
// two purposes.
func (h *HubSpot) Keys() []Key {
	return []Key{{"Token", h.Token}}
}
