package vendors

import (
	"context"
	"net/http"
	"time"
)

// Vendor turns a visitor into the JavaScript that identifies them to one chat
// widget. Implementations are safe for concurrent use and never see secrets
// leave the server: the JavaScript they return carries only signatures, opaque
// ids and short-lived tokens.
//
// Every script returned is a sequence of JavaScript statements that is safe to
// place between <script> and </script>: all values in it are encoded with this
// package's JS encoder, so it never contains "</script", "<!--" or a raw
// non-ASCII character.
type Vendor interface {
	// Name is the vendor's stable, lower-case name ("webim", "edna",
	// "helpcrunch", "zendesk"). It is used in metric labels, log records and
	// endpoint paths, so it must match [a-z0-9_]+.
	Name() string
	// Identify returns the script for a signed-in visitor.
	Identify(ctx context.Context, r Request, v Visitor) ([]byte, error)
	// Anonymous returns the script for a visitor who is not signed in. It may
	// return nil: some widgets need nothing from the site for anonymous visitors.
	Anonymous(ctx context.Context, r Request) ([]byte, error)
	// Reset returns the script that clears the widget's identity after the
	// visitor has signed out, so that the next person on a shared computer does
	// not see the previous visitor's chat.
	Reset(ctx context.Context, r Request) ([]byte, error)
}

// Request is what a vendor may know about the request it builds a script or
// serves an endpoint for.
type Request struct {
	// HTTP is the incoming request. Vendors read it and never modify it.
	HTTP *http.Request
	// Now is the time to sign with; the middleware sets it once per request.
	Now time.Time
	// Endpoints is the absolute URL path under which this vendor's endpoints
	// are mounted, ending in "/" (for example "/_chatident/zendesk/").
	Endpoints string
	// Notes, when not nil, is told when a vendor serves this visitor less
	// than it would usually (see Notes). The middleware counts these.
	Notes Notes
}

// EndpointProvider is implemented by vendors that need HTTP endpoints on the
// site itself, such as the Zendesk token endpoint or the Webim refresh endpoint.
type EndpointProvider interface {
	Endpoints() []Endpoint
}

// Endpoint is one HTTP endpoint a vendor serves under Request.Endpoints.
type Endpoint struct {
	// Path is relative to Request.Endpoints, without a leading slash ("token").
	Path string
	// Serve answers the request. v is nil when the visitor is anonymous. It
	// writes the whole response and reports what it did.
	Serve func(w http.ResponseWriter, r Request, v *Visitor) EndpointResult
}

// EndpointResult is what an endpoint did, for metrics and logs.
type EndpointResult struct {
	// Issued is true when the endpoint handed out a token or a signed object.
	Issued bool
	// Reason says why nothing was issued: a short, fixed, low-cardinality word
	// such as "anonymous", "cross_site", "method" or "error". Empty when Issued.
	Reason string
}

// Validator is implemented by vendors whose configuration can be checked
// before the first request. middleware.New calls it and refuses to start on
// an error.
type Validator interface {
	Validate() error
}
