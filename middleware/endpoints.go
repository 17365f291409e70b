package middleware

import (
	"fmt"
	"net/http"

	"github.com/chatident/chatident/vendors"
)

// endpoint is one vendor endpoint, mounted at its vendor's base path.
type endpoint struct {
	vendor *vendorEntry
	serve  func(w http.ResponseWriter, r vendors.Request, v *vendors.Visitor) vendors.EndpointResult
}

// serveEndpoint answers a request under the endpoint prefix: the vendor
// endpoint mounted at exactly r.URL.Path, or 404 Not Found. The visitor is
// resolved through the same context and sources as pages are, and only with
// consent (Config.Consent).
func (m *Middleware) serveEndpoint(w http.ResponseWriter, r *http.Request) {
	ep := m.endpoints[r.URL.Path]
	if ep == nil {
		http.NotFound(w, r)
		return
	}
	// Without consent a token or signed object would carry the visitor's
	// identity off the server: the endpoint sees an anonymous visitor.
	var vp *vendors.Visitor
	if m.consented(r) {
		if v, known := m.resolve(r); known {
			vp = &v
		}
	}
	req := vendors.Request{HTTP: r, Now: m.now(), Endpoints: ep.vendor.base}
	res := m.callEndpoint(w, r, ep, req, vp)
	reason := reasonIssued
	if !res.Issued {
		reason = endpointReason(res.Reason)
	}
	m.emit(r.Context(), Event{Kind: EventEndpoint, Vendor: ep.vendor.name, Reason: reason})
}

// callEndpoint runs the vendor's handler, turning a panic into a logged
// 500 (when nothing was written yet) and the reason "error".
func (m *Middleware) callEndpoint(w http.ResponseWriter, r *http.Request, ep *endpoint, req vendors.Request, v *vendors.Visitor) (res vendors.EndpointResult) {
	tw := &trackingWriter{ResponseWriter: w}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p) // the vendor asked net/http to abort the response
			}
			m.logger.ErrorContext(r.Context(), "chatident: vendor endpoint panicked",
				"vendor", ep.vendor.name, "panic_type", fmt.Sprintf("%T", p))
			if !tw.wrote {
				http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			}
			res = vendors.EndpointResult{Reason: reasonError}
		}
	}()
	return ep.serve(tw, req, v)
}

// endpointReason passes on an endpoint's reason when it has the promised
// form (a short lower-case word), so that a misbehaving vendor cannot blow up
// the cardinality of a metric label.
func endpointReason(s string) string {
	if s == "" || s == reasonIssued || len(s) > 32 {
		return reasonOther
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || c == '_') {
			return reasonOther
		}
	}
	return s
}

// trackingWriter notes whether the response was started, so that a panic
// after a partial answer does not try to write a second status line.
// Unwrap keeps http.ResponseController (Flush, deadlines) working.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	if code >= 200 {
		t.wrote = true
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
