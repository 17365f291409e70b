package middleware

import (
	"context"
	"errors"
	"net/http"

	"github.com/chatident/chatident/vendors"
)

// Middleware identifies visitors to chat widgets. Make one with New; it is
// safe for concurrent use.
type Middleware struct {
	cfg Config
}

// New checks cfg and returns a Middleware. Every configuration mistake is
// reported here, never per request.
//
// PLACEHOLDER until the middleware lands.
func New(cfg Config) (*Middleware, error) {
	if len(cfg.Vendors) == 0 {
		return nil, errors.New("chatident: Config.Vendors is empty")
	}
	return &Middleware{cfg: cfg}, nil
}

// Wrap returns next wrapped: vendor endpoints are served under the endpoint
// prefix, and HTML responses get the vendors' scripts.
//
// PLACEHOLDER until the middleware lands.
func (m *Middleware) Wrap(next http.Handler) http.Handler { return next }

type visitorKey struct{}

// WithVisitor returns a copy of ctx that carries v as the signed-in visitor.
// An application's own authentication middleware calls it; it takes
// precedence over every Source.
func WithVisitor(ctx context.Context, v vendors.Visitor) context.Context {
	return context.WithValue(ctx, visitorKey{}, v)
}

// VisitorFrom returns the visitor WithVisitor stored in ctx.
func VisitorFrom(ctx context.Context) (vendors.Visitor, bool) {
	v, ok := ctx.Value(visitorKey{}).(vendors.Visitor)
	return v, ok
}
