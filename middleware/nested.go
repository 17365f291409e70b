package middleware

import (
	"net/http"

	"github.com/chatident/chatident/inject"
)

// Nesting: one Middleware's handler inside another's.
//
// Two instances can meet in one request: mw.Wrap(mw.Wrap(app)) by mistake,
// or a site-wide instance around a sub-application that brought its own
// (a Gin group with ginmw under a net/http mux with Wrap, say). Both would
// insert a script and set a sign-out marker on the same page. So an instance
// looks at the ResponseWriter it is given: when it is, or wraps (through
// Unwrap, as http.ResponseController follows it), the rewriter of another
// instance's response (inject.ResponseOf holding one of this package's
// pages), it passes the request to its application untouched: one script,
// one marker per response, the outer instance's. Nothing is added to the
// request or its context, so the check costs no allocation; a wrapper
// between the two that hides the writer without an Unwrap method hides the
// outer instance too.
//
// Endpoints are answered before the mark is looked at, so each instance
// still serves its own. When both use the same EndpointPrefix, the outer
// would answer 404 for the inner's endpoints (it reserves the prefix); where
// the inner handler is the very handler the outer wraps
// (outer.Wrap(inner.Wrap(app)), also through several levels), the outer
// knows it and lets the inner answer its own endpoints. With another handler
// between them, give the instances different EndpointPrefix values.

// nested reports whether w belongs to a response another instance's
// rewriter is handling.
func nested(w http.ResponseWriter) bool {
	_, ok := inject.ResponseOf(w).(*page)
	return ok
}

// innerEndpoint returns the handler of the innermost instance directly
// wrapped by h that serves path as an endpoint, or nil.
func (h *handler) innerEndpoint(path string) *handler {
	for in := h.inner; in != nil; in = in.inner {
		if in.m.endpoints[path] != nil {
			return in
		}
	}
	return nil
}

// serveNestedEndpoint answers a path under h's prefix that h has no endpoint
// for, but an instance it directly wraps does. It reports false when none
// does.
func (h *handler) serveNestedEndpoint(w http.ResponseWriter, r *http.Request) bool {
	in := h.innerEndpoint(r.URL.Path)
	if in == nil {
		return false
	}
	in.m.serveEndpoint(w, r)
	return true
}
