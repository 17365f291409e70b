package vendors

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Vendor is one chat widget. Identity is data, the widget's code is
// constant: a vendor turns a visitor into plain values (a signed object,
// ids, hashes) written into a Data, and owns constant JavaScript, returned
// once by Prepare, that applies those values to its widget. The middleware
// puts every vendor's code into one constant page script and the values into
// one JSON document beside it (see middleware.Middleware.ScriptHash), so the
// same values can also be served to a page that changes identity without
// reloading.
//
// Implementations are safe for concurrent use after Prepare, and never let a
// secret leave the server: Data carries only signatures, opaque ids and
// other values the browser may see.
//
// To add a widget, write one file with a type that implements Vendor (the
// four in this package are the models; Example_ownWidget is the smallest).
type Vendor interface {
	// Name is the vendor's stable, lower-case name ("webim", "edna",
	// "helpcrunch", "zendesk"). It is used in the page data, metric labels,
	// log records and endpoint paths, so it must match [a-z0-9_]+.
	Name() string
	// Prepare checks the whole configuration, precomputes what every
	// request needs (keyed states) and returns the vendor's constant code.
	// middleware.New calls it once, before any request, and refuses to start
	// on an error: return every mistake, each a *ConfigError, joined with
	// errors.Join.
	Prepare(s Setup) (Script, error)
	// Identify writes the values for a signed-in visitor into d, for the
	// Identify code to read. It fails rather than sending an unsigned
	// identity; the page is then served without this vendor.
	Identify(ctx context.Context, r Request, v Visitor, d *Data) error
}

// ValidName reports whether name follows the rule for Vendor.Name:
// [a-z0-9_]+. The middleware refuses other names in New, and metrics uses
// the same rule for its vendor labels.
func ValidName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// AnonymousData is implemented by vendors whose anonymous widget needs
// values per request. For the others the Anonymous code gets null.
type AnonymousData interface {
	Anonymous(ctx context.Context, r Request, d *Data) error
}

// Setup is what middleware.New tells a vendor once, in Prepare.
type Setup struct {
	// Endpoints is the absolute URL path under which the vendor's endpoints
	// are mounted, ending in "/" (for example "/_chatident/zendesk/"), for
	// code that calls them.
	Endpoints string
	// MemoSize is how many per-visitor results (opaque ids, hashes,
	// signatures) each keyed state may remember; 0 remembers none. The
	// results are keyed by the exact bytes they were computed from.
	MemoSize int
}

// Script is a vendor's constant JavaScript: the bodies of four functions,
// each called as function(d, w) with d the vendor's data (parsed JSON) and
// w the window. The middleware checks them once, in New: ASCII only, and
// nothing that could end a <script> element ("</script", "<!--"). They must
// not depend on the visitor: visitor values reach them only through d.
//
// Each runs in its own try/catch, in Config order; all Resets run first.
// They run synchronously where the page script is placed (right after
// <head> by default), so a value a widget's loader reads (Webim's
// window.webim_visitor, edna's window.clientId) exists before the loader
// runs. Code that needs the widget's API present must wait for it (see the
// vendors' code for the pattern: at once, else on the window's load event).
type Script struct {
	// Identify applies a signed-in visitor's data.
	Identify string
	// Anonymous sets the widget up for a visitor who is not signed in; d is
	// null unless the vendor implements AnonymousData. Empty: the vendor
	// needs nothing from the site then.
	Anonymous string
	// Reset clears the widget's identity after the visitor signed out or
	// changed, so that the next person on a shared computer does not see the
	// previous visitor's chat; d is null.
	Reset string
	// Update applies a changed identity to a widget already on the page,
	// without a page load (htmx, Turbo, single-page apps): d is the new
	// Identify data, or null when the visitor is now anonymous. Empty: the
	// widget cannot change identity in place.
	Update string
}

// Request is what a vendor may know about the request it writes data or
// serves an endpoint for.
type Request struct {
	// HTTP is the incoming request. Vendors read it and never modify it.
	HTTP *http.Request
	// Now is the time to sign with; the middleware sets it once per request.
	// Zero means the current time.
	Now time.Time
	// Endpoints is the absolute URL path under which this vendor's endpoints
	// are mounted, ending in "/" (for example "/_chatident/zendesk/").
	Endpoints string
	// Notes, when not nil, is told when a vendor serves this visitor less
	// than it would usually (see Notes). The middleware counts these.
	Notes Notes
}

// now returns r.Now, or the current time when the caller left it zero, so
// that a signature never carries a timestamp from the year 1.
func now(r Request) time.Time {
	if r.Now.IsZero() {
		return time.Now()
	}
	return r.Now
}

// ErrAnonymous, returned (or wrapped) by Identify, serves this visitor the
// vendor's anonymous code instead of an identity, without counting as a
// failure: the vendor declined to identify them (Webim's ambiguous objects)
// and says why through Request.Notes.
var ErrAnonymous = errors.New("vendors: serve this visitor the anonymous widget")

// ErrNoVisitorID is returned when a vendor is asked to identify a Visitor
// whose ID is empty: without it no vendor can tell one person from another.
var ErrNoVisitorID = errors.New("vendors: visitor has no ID")

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
	// Reason says why nothing was issued: one of EndpointReasons. Empty when
	// Issued.
	Reason string
}

// Validator is implemented by vendors (and middleware sources) whose
// configuration can be checked on its own. The vendors here check the same
// things in Prepare.
type Validator interface {
	Validate() error
}

// checkEndpoints reports a Setup whose Endpoints is not an absolute path
// ending in "/", for vendors whose code calls their endpoints.
func checkEndpoints(vendor string, s Setup) error {
	e := s.Endpoints
	if e == "" || e[0] != '/' || e[len(e)-1] != '/' {
		return errors.New(vendor + `: Setup.Endpoints must be a path starting and ending with "/"`)
	}
	return nil
}
