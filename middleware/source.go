package middleware

import (
	"net/http"

	"github.com/chatident/chatident/vendors"
)

// Source finds the signed-in visitor of a request.
//
// Lookup returns (nil, nil) when the request carries no visitor for this
// source, and (nil, err) when it carries one that cannot be trusted (a
// tampered cookie, an expired token): the visitor is then anonymous and the
// error is only logged at debug level. It never panics and is safe for
// concurrent use.
type Source interface {
	Lookup(r *http.Request) (*vendors.Visitor, error)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(r *http.Request) (*vendors.Visitor, error)

// Lookup calls f(r).
func (f SourceFunc) Lookup(r *http.Request) (*vendors.Visitor, error) { return f(r) }
