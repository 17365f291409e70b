package middleware

import (
	"bufio"
	"errors"
	"io"
	"net"
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
// reserves the prefix: an application must never answer a path under it.
// Where the inner handler is the very handler the outer wraps
// (outer.Wrap(inner.Wrap(app)), also through several levels), the outer
// knows it and lets the inner answer its own endpoints. With another handler
// between them (a router), the outer cannot know who is behind it, so for a
// path under its prefix that it does not serve it calls its application
// with a probe: a ResponseWriter that holds back everything written to it.
// An instance further in that serves the path finds the probe behind the
// writer it is given (through Unwrap, as nesting is found) and claims it
// before writing; from then on the probe passes everything through. When
// nobody claims it, whatever the application wrote (a catch-all's page, a
// flush, a hijack) is dropped and the outer answers 404 itself, so no
// application answers an unknown path under the prefix.

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

// probe is the ResponseWriter an instance hands its application for a path
// under its prefix that it does not serve (see above). Until an instance
// further in claims it, nothing reaches w: headers go to a scratch map and
// writes are dropped, noting that the application answered. It is used by
// one request's goroutines as a ResponseWriter is, so it needs no lock.
type probe struct {
	w       http.ResponseWriter
	scratch http.Header // headers set before a claim; nil until asked for
	claimed bool
}

// errProbeHijack refuses a hijack before any instance claimed the probe:
// the connection would let the application answer the reserved path.
var errProbeHijack = errors.New("chatident: hijack refused: no middleware instance serves this path under its endpoint prefix")

// claimProbes claims every probe behind w, so that an instance serving the
// request's path can answer it through the outer instances that probe.
func claimProbes(w http.ResponseWriter) {
	for i := 0; w != nil && i < 32; i++ { // a bound, in case of an Unwrap cycle
		if p, ok := w.(*probe); ok {
			p.claim()
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return
		}
		w = u.Unwrap()
	}
}

// claim lets everything written from now on through; headers set before it
// (by a router's middleware, say) are kept.
func (p *probe) claim() {
	if p.claimed {
		return
	}
	p.claimed = true
	if len(p.scratch) > 0 {
		h := p.w.Header()
		for k, v := range p.scratch {
			h[k] = v
		}
	}
	p.scratch = nil
}

// Header returns the real headers once claimed, else a scratch map that is
// dropped with the application's answer.
func (p *probe) Header() http.Header {
	if p.claimed {
		return p.w.Header()
	}
	if p.scratch == nil {
		p.scratch = make(http.Header)
	}
	return p.scratch
}

// WriteHeader passes the status through once claimed, else drops it.
func (p *probe) WriteHeader(code int) {
	if p.claimed {
		p.w.WriteHeader(code)
	}
}

// Write passes b through once claimed, else drops it (reporting it written,
// so the application goes on as if it were).
func (p *probe) Write(b []byte) (int, error) {
	if p.claimed {
		return p.w.Write(b)
	}
	return len(b), nil
}

// ReadFrom keeps io.Copy on the underlying writer's fast path once claimed.
func (p *probe) ReadFrom(r io.Reader) (int64, error) {
	if p.claimed {
		return io.Copy(p.w, r)
	}
	return io.Copy(io.Discard, r)
}

// FlushError flushes once claimed; before, there is nothing to flush.
// http.ResponseController calls it before following Unwrap.
func (p *probe) FlushError() error {
	if p.claimed {
		return http.NewResponseController(p.w).Flush()
	}
	return nil
}

// Flush is FlushError for callers that use http.Flusher.
func (p *probe) Flush() { _ = p.FlushError() }

// Hijack passes through once claimed, else is refused.
// http.ResponseController calls it before following Unwrap.
func (p *probe) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if p.claimed {
		return http.NewResponseController(p.w).Hijack()
	}
	return nil, nil, errProbeHijack
}

// Unwrap returns the underlying writer, so that an instance further in
// finds the outer ones (and their probes) and http.ResponseController
// reaches deadlines. Flush and Hijack are the probe's own methods, which
// the controller prefers over Unwrap.
func (p *probe) Unwrap() http.ResponseWriter { return p.w }

// serveProbed answers a path under h's prefix that no instance h knows of
// serves: through the application with a probe, or 404 when no instance
// further in claimed it.
func (h *handler) serveProbed(w http.ResponseWriter, r *http.Request) {
	p := &probe{w: w}
	h.app.ServeHTTP(p, r)
	if !p.claimed {
		http.NotFound(w, r)
	}
}
