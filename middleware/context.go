package middleware

import (
	"context"

	"github.com/chatident/chatident/vendors"
)

type visitorKey struct{}

// WithVisitor returns a copy of ctx that carries v as the signed-in visitor.
// An application's own authentication middleware calls it; it takes
// precedence over every Source.
//
// The middleware reads the visitor from the request it receives, so the
// authentication middleware that calls WithVisitor must run before (outside)
// the handler returned by Wrap. A visitor whose ID is empty is no visitor:
// the Sources are consulted as if WithVisitor had not been called.
func WithVisitor(ctx context.Context, v vendors.Visitor) context.Context {
	return context.WithValue(ctx, visitorKey{}, v)
}

// VisitorFrom returns the visitor WithVisitor stored in ctx.
func VisitorFrom(ctx context.Context) (vendors.Visitor, bool) {
	v, ok := ctx.Value(visitorKey{}).(vendors.Visitor)
	return v, ok
}
