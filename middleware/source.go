package middleware

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/chatident/chatident/vendors"
)

// Source finds the signed-in visitor of a request.
//
// Lookup returns (nil, nil) when the request carries no visitor for this
// source, and (nil, err) when it carries one that cannot be trusted (a
// tampered cookie, an expired token). Either way the next source is tried;
// when none finds a visitor, the visitor is anonymous. The error is logged at
// debug level only, so it must not carry a cookie, a token or any other user
// value: the built-in sources' errors never do. Lookup never panics (a panic
// is recovered and logged, and counts as no visitor) and is safe for
// concurrent use. A visitor with an empty ID counts as no visitor.
//
// A Source may also have a Validate() error method (see vendors.Validator);
// New calls it and refuses a configuration it rejects.
type Source interface {
	Lookup(r *http.Request) (*vendors.Visitor, error)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(r *http.Request) (*vendors.Visitor, error)

// Lookup calls f(r).
func (f SourceFunc) Lookup(r *http.Request) (*vendors.Visitor, error) { return f(r) }

// source is one configured Source with what the middleware notes about it.
type source struct {
	Source
	index int
	// found and refused count lookups; when a source has refused many
	// requests and never found a visitor, its configuration most likely
	// does not match the application's, and that is said once, at Warn.
	found, refused atomic.Int64
	warned         atomic.Bool
}

// misconfiguredAfter is how many refusals, with no visitor ever found, make
// a source suspect.
const misconfiguredAfter = 20

// resolve finds the request's visitor: the context first (WithVisitor), then
// each source in order. It is called at most once per request, and only for
// eligible HTML pages and endpoint calls.
func (m *Middleware) resolve(r *http.Request) (vendors.Visitor, bool) {
	if v, ok := VisitorFrom(r.Context()); ok && v.ID != "" {
		return v, true
	}
	for i := range m.sources {
		if v := m.lookup(&m.sources[i], r); v != nil {
			return *v, true
		}
	}
	return vendors.Visitor{}, false
}

// lookup asks one source, turning its errors and panics into "no visitor".
func (m *Middleware) lookup(s *source, r *http.Request) (found *vendors.Visitor) {
	ctx := r.Context()
	defer func() {
		if p := recover(); p != nil {
			// The panic value may hold anything the source had in hand, so
			// only its type is logged.
			m.logger.ErrorContext(ctx, "chatident: visitor source panicked; treating the visitor as anonymous",
				"source", s.index, "source_type", fmt.Sprintf("%T", s.Source), "panic_type", fmt.Sprintf("%T", p))
			found = nil
		}
	}()
	v, err := s.Lookup(r)
	if err != nil {
		if s.refused.Add(1) >= misconfiguredAfter && s.found.Load() == 0 && s.warned.CompareAndSwap(false, true) {
			m.logger.WarnContext(ctx, "chatident: a visitor source has refused every request so far, so every visitor is anonymous; "+
				"its keys, cookie name or value type (Serializer, Visitor function) most likely do not match the application's",
				"source", s.index, "source_type", fmt.Sprintf("%T", s.Source), "refused", misconfiguredAfter)
		}
		if !m.logger.Enabled(ctx, slog.LevelDebug) {
			return nil
		}
		m.logger.DebugContext(ctx, "chatident: visitor source rejected the request",
			"source", s.index, "source_type", fmt.Sprintf("%T", s.Source), "error", err)
		return nil
	}
	if v == nil || v.ID == "" {
		return nil
	}
	if s.found.Load() == 0 {
		s.found.Add(1)
	}
	return v
}
