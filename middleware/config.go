package middleware

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/vendors"
)

// Config configures a Middleware. Only Vendors is required; New checks every
// field and returns an error naming the vendor and field at fault.
type Config struct {
	// Vendors are the chat widgets to identify visitors to, in page order.
	// Names (Name()) must be distinct and match [a-z0-9_]+.
	Vendors []vendors.Vendor

	// Sources find the signed-in visitor, tried in order after the request
	// context (see WithVisitor); the first that finds one wins. With none, only
	// the context is consulted. The built-in sources are SessionCookie and
	// JWTCookie; SourceFunc adapts any function.
	Sources []Source

	// Placement is where scripts go in the page; the default is
	// inject.AfterHeadOpen.
	Placement inject.Placement

	// EndpointPrefix is the URL path under which vendor endpoints are served,
	// DefaultEndpointPrefix ("/_chatident/") by default: a vendor's endpoint
	// "token" is at <EndpointPrefix><vendor name>/token. It must start and end
	// with "/", have at least one segment, and contain no "//", no "." or ".."
	// segment and nothing that needs escaping in a URL path. See Wrap for
	// what happens to other paths under it.
	EndpointPrefix string

	// MountPath is the URL path prefix in front of the application that is
	// removed before requests reach the middleware: the application is
	// wrapped in http.StripPrefix("/app", ...), or a reverse proxy serves it
	// at /app/ and forwards requests without "/app". The scripts then fetch
	// the endpoints at MountPath + EndpointPrefix + ... ("/app/_chatident/
	// zendesk/token"), which is where the browser can reach them, while
	// requests are still matched on the path as it arrives
	// (EndpointPrefix + ...). Empty (the default) when the application sees
	// the same paths as the browser. It must start with "/" and not end
	// with one ("/app", "/shop/eu"), with the same rules for its segments as
	// EndpointPrefix.
	MountPath string

	// SignOut configures the reset of widgets after sign-out.
	SignOut SignOut

	// Navigation says whether a request's response will be loaded by the
	// browser as a document, so that a script in it runs. Only those
	// responses get the vendors' script and consume a sign-out reset;
	// others (an htmx partial, a Turbo frame, a fetch()) pass through
	// byte-identical. nil means inject.DocumentNavigation, which reads the
	// Fetch Metadata headers and, where a client sends none, the htmx,
	// Turbo and X-Requested-With conventions. An inject.Documents in
	// Inject overrides it.
	Navigation func(*http.Request) bool

	// Consent, when set, says whether the visitor has agreed to be
	// identified to the chat vendors (read it from your consent manager's
	// cookie, say). While it returns false, no visitor data leaves the
	// server: the visitor is not looked up, pages and the identity endpoint
	// carry no identity, vendor endpoints (the Zendesk token, the Webim
	// refresh) treat the request as anonymous, and no sign-out marker is
	// set (an existing one still brings its resets, then is expired).
	// WithoutConsent says what vendors get meanwhile. The page's runtime
	// picks up consent given later without a reload when the page calls
	// window.chatident.refresh() (see Wrap). nil: consent is not needed. It
	// runs once per page and per endpoint call, must be fast and safe for
	// concurrent use; a panic counts as no consent.
	Consent func(*http.Request) bool

	// WithoutConsent says what vendors get while Consent returns false:
	// ConsentAnonymous (the default), each vendor's anonymous mode, or
	// ConsentNothing, no vendor code at all.
	WithoutConsent ConsentMode

	// EveryPage puts the page script on every HTML page, with no vendor
	// data when no vendor has anything to do for the visitor (an anonymous
	// visitor and vendors with no anonymous code, such as edna or Webim
	// without LoaderURL). Without it such pages are left unchanged, and a
	// visitor who then signs in without a page load (htmx, Turbo, a
	// single-page app) is identified only at the next full page load: set
	// it for such sites. Pages that get the script are private (see
	// inject.Handler).
	EveryPage bool

	// Observer receives one event per response, injection, reset, token and
	// build error. nil means none; metrics.Metrics is one.
	Observer Observer

	// Logger receives request-time failures. nil means slog.Default().
	// Records never carry visitor values or secrets: see the package
	// documentation.
	Logger *slog.Logger

	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time

	// Inject holds extra options for the rewriter (MaxHeld, Statuses,
	// Observe, Codecs). They are applied after Placement and the defaults,
	// so an inject.At here overrides Placement, and inject.Codecs() (with no
	// codec) turns off the decoding of compressed pages, which is on by
	// default for gzip, deflate, br and zstd (package inject/codecs). An
	// inject.Observe here is called for every response as well as the
	// Observer: the middleware learns outcomes through its own contract with
	// the rewriter, not through Observe. New checks them.
	Inject []inject.Option

	// MemoSize is how many results each keyed state remembers: opaque ids,
	// hashes of user ids, Webim signatures (within their expires bucket, see
	// vendors.Webim) and sign-out marker checks, each keyed by the exact
	// bytes it was computed from, so one visitor can never be given a value
	// made for another. Zero selects DefaultMemoSize; a negative value turns
	// the memo off. Memory is bounded by about twice MemoSize entries of
	// under 600 bytes per state (a handful of states per vendor).
	MemoSize int
}

// SignOut configures sign-out hygiene: when a browser that was shown an
// identified visitor's chat asks for a page anonymously, that page carries
// every vendor's reset script once. The same happens, before the new
// identity, when the identified visitor changes.
//
// It works with a marker cookie set on identified pages (HttpOnly,
// SameSite=Lax, Path=/, 30 days, Secure as Secure says),
// which holds only an HMAC of the visitor's ID, and is expired by the page
// that carries the resets. The marker is consumed when that page's script is
// built: a page that turns out to have no place for the script (or whose
// script inject refuses) still consumes it, and its resets are lost. Pages
// built at the same time each carry the resets.
type SignOut struct {
	// Disabled turns the behaviour off.
	Disabled bool
	// CookieName names the marker cookie; DefaultSignOutCookie
	// ("chatident_seen") by default. A name starting with __Secure- or
	// __Host- makes the marker always Secure, as browsers require of such
	// names, whatever Secure says.
	CookieName string
	// HashKey signs the marker cookie (securecookie, at least 32 bytes). When
	// nil a random key is made in New, which means a browser marked before a
	// restart gets no reset after it; give every instance behind a load
	// balancer the same key for the same reason. New warns once when it
	// has to make a random key.
	HashKey []byte
	// PreviousHashKeys are keys HashKey replaced, newest first, each at
	// least 32 bytes. Markers they signed still verify, so browsers marked
	// before a rotation still get their reset; the next identified page
	// re-signs the marker with HashKey. To rotate: move the old HashKey
	// here and set a new HashKey on every instance; after the marker's
	// lifetime (30 days) the old key can go. Requires HashKey.
	PreviousHashKeys [][]byte
	// Secure decides when the marker cookie is Secure. The default,
	// SecureByRequest, goes by the request alone (r.TLS), which behind a
	// TLS-terminating proxy or load balancer is never set: such sites set
	// SecureAlways, or SecureByForwardedProto when the proxy sets
	// X-Forwarded-Proto or Forwarded and the site is also served over
	// plain HTTP.
	Secure SecureMode
}

// SecureMode says when the sign-out marker cookie carries the Secure
// attribute, which keeps a browser from sending it over plain HTTP.
type SecureMode uint8

const (
	// SecureByRequest makes the marker Secure when the request arrived over
	// TLS at this server (r.TLS is set). Behind a proxy that terminates TLS
	// the marker is never Secure.
	SecureByRequest SecureMode = iota
	// SecureAlways makes the marker always Secure: the site is served over
	// HTTPS, wherever TLS ends. A browser refuses a Secure cookie set over
	// plain HTTP (except on localhost), so a site also reachable over plain
	// HTTP loses sign-out resets there.
	SecureAlways
	// SecureByForwardedProto trusts the proxy in front of this server: the
	// marker is Secure when the request arrived over TLS, or when it carries
	// X-Forwarded-Proto or Forwarded proto= values and every one of them is
	// "https". Use it only when every request passes through a proxy that
	// sets or overwrites these headers: a client reaching the server
	// directly can send them too (it can only weaken its own marker, never
	// another browser's).
	SecureByForwardedProto
)

// ConsentMode says what vendors get while Config.Consent returns false.
type ConsentMode uint8

const (
	// ConsentAnonymous gives each vendor its anonymous mode (HelpCrunch's
	// pre-chat form, an anonymous Zendesk chat, the Webim loader): no
	// visitor data, but the vendors' widgets load and may set their own
	// cookies.
	ConsentAnonymous ConsentMode = iota
	// ConsentNothing gives vendors nothing: the page carries the runtime
	// alone, with no vendor code, so that consent given later (and
	// window.chatident.refresh()) starts the widgets in place. Sign-out
	// resets still run.
	ConsentNothing
)
