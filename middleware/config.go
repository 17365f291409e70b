package middleware

import (
	"log/slog"
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

	// SignOut configures the reset of widgets after sign-out.
	SignOut SignOut

	// Observer receives one event per response, injection, reset, token and
	// build error. nil means none; metrics.Metrics is one.
	Observer Observer

	// Logger receives request-time failures. nil means slog.Default().
	// Records never carry visitor values or secrets: see the package
	// documentation.
	Logger *slog.Logger

	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time

	// Inject holds extra options for the rewriter (MaxHeld, Statuses). They
	// are applied after Placement, so an inject.At here overrides it; the
	// observer is always the middleware's own.
	Inject []inject.Option
}

// SignOut configures sign-out hygiene: when a browser that was shown an
// identified visitor's chat asks for a page anonymously, that page carries
// every vendor's reset script once. The same happens, before the new
// identity, when the identified visitor changes.
//
// It works with a marker cookie set on identified pages (HttpOnly,
// SameSite=Lax, Path=/, Secure when the request came over TLS, 30 days),
// which holds only an HMAC of the visitor's ID, and is expired by the page
// that carries the resets. The marker is consumed when that page's script is
// built: a page that turns out to have no place for the script (or whose
// script inject refuses) still consumes it, and its resets are lost. Pages
// built at the same time each carry the resets.
type SignOut struct {
	// Disabled turns the behaviour off.
	Disabled bool
	// CookieName names the marker cookie; DefaultSignOutCookie
	// ("chatident_seen") by default.
	CookieName string
	// HashKey signs the marker cookie (securecookie, at least 32 bytes). When
	// nil a random key is made in New, which means a browser marked before a
	// restart gets no reset after it; give every instance behind a load
	// balancer the same key for the same reason.
	HashKey []byte
}
