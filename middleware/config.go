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
	Vendors []vendors.Vendor

	// Sources find the signed-in visitor, tried in order after the request
	// context (see WithVisitor); the first that finds one wins. With none, only
	// the context is consulted.
	Sources []Source

	// Placement is where scripts go in the page; the default is
	// inject.AfterHeadOpen.
	Placement inject.Placement

	// EndpointPrefix is the URL path under which vendor endpoints are served,
	// "/_chatident/" by default. It must start and end with "/".
	EndpointPrefix string

	// SignOut configures the reset of widgets after sign-out.
	SignOut SignOut

	// Observer receives one event per response, injection, reset, token and
	// build error. nil means none; metrics.Metrics is one.
	Observer Observer

	// Logger receives request-time failures. nil means slog.Default().
	Logger *slog.Logger

	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time

	// Inject holds extra options for the rewriter (MaxHeld, Statuses).
	// Placement and the observer are set by the middleware itself.
	Inject []inject.Option
}

// SignOut configures sign-out hygiene: when a browser that was shown an
// identified visitor's chat asks for a page anonymously, that page carries
// every vendor's reset script once.
type SignOut struct {
	// Disabled turns the behaviour off.
	Disabled bool
	// CookieName names the marker cookie; "chatident_seen" by default.
	CookieName string
	// HashKey signs the marker cookie (securecookie, at least 32 bytes). When
	// nil a random key is made in New, which means a browser marked before a
	// restart gets no reset after it.
	HashKey []byte
}
