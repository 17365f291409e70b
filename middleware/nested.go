package middleware

import (
	"context"
	"net/http"
)

// Nesting: one Middleware's handler inside another's.
//
// Two instances can meet in one request: mw.Wrap(mw.Wrap(app)) by mistake,
// or a site-wide instance around a sub-application that brought its own
// (a Gin group with ginmw under a net/http mux with Wrap, say). Both would
// insert a script and set a sign-out marker on the same page. So the
// outermost instance that handles a page marks the request's context, and an
// instance that finds the mark passes the request to its application
// untouched: one script, one marker per response, the outer instance's.
// The mark travels with the request, from the outer instance inward, through
// any router or middleware that passes the request's context on (every
// net/http handler that calls next with r or r.WithContext does).
//
// Endpoints are answered before the mark is looked at, so each instance
// still serves its own. When both use the same EndpointPrefix, the outer
// would answer 404 for the inner's endpoints (it reserves the prefix); where
// the inner handler is the very handler the outer wraps
// (outer.Wrap(inner.Wrap(app)), also through several levels), the outer
// knows it and lets the inner answer its own endpoints. With another handler
// between them, give the instances different EndpointPrefix values.

// nestedKey marks a request context as being served inside a Middleware's
// handler. Its value is the outermost Middleware.
type nestedKey struct{}

// nested reports whether ctx is already inside a Middleware's handler.
func nested(ctx context.Context) bool {
	return ctx.Value(nestedKey{}) != nil
}

// markNested returns ctx marked as served by m.
func (m *Middleware) markNested(ctx context.Context) context.Context {
	return context.WithValue(ctx, nestedKey{}, m)
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
