// Package echomw runs the chatident middleware inside an Echo server.
//
// It is a Go module of its own, so that applications on plain net/http never
// download Echo. Register it with e.Use after the middleware that signs
// visitors in and before the handlers that render pages:
//
//	mw, err := middleware.New(middleware.Config{Vendors: ...})
//	...
//	e := echo.New()
//	e.Use(echomiddleware.Recover(), auth, echomw.Middleware(mw))
//
// Everything that runs after it writes through the chatident rewriter,
// including c.HTML, c.Render, c.Stream, c.File and the HTTPErrorHandler. The
// chain after it gets an *echo.Response of its own, whose Status, Size and
// Committed describe what the application wrote; middleware before it keeps
// the original, which describes what was sent (its Size includes the inserted
// script, and its Before and After hooks run when chatident writes).
//
// An error returned by the chain is handled inside the adapter with
// c.Error, so that an error page goes through chatident like any other
// response, and is then returned as usual. Echo calls its HTTPErrorHandler
// again at the end of the request, as it does after its own Logger
// middleware; the default handler sees the committed response and does
// nothing, and a custom one should check c.Response().Committed the same way.
package echomw

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// VisitorKey is the echo.Context key under which an earlier middleware puts
// the signed-in visitor, as a vendors.Visitor or a *vendors.Visitor:
//
//	c.Set(echomw.VisitorKey, vendors.Visitor{ID: user.ID, Name: user.Name})
//
// It takes precedence over the Config's Sources and over a visitor already in
// the request context. A nil *vendors.Visitor, or a value of any other type,
// counts as no visitor under this key.
const VisitorKey = "chatident.visitor"

// Middleware returns an Echo middleware that runs the rest of the chain
// inside m.Wrap: vendor endpoints are answered (and the chain not run), and
// HTML responses get the vendors' scripts. It panics if m is nil, so the
// mistake shows at start-up.
func Middleware(m *middleware.Middleware) echo.MiddlewareFunc {
	if m == nil {
		panic("echomw: Middleware(nil)")
	}
	h := m.Wrap(http.HandlerFunc(serveChain))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			orig := c.Response()
			origReq := c.Request()
			st := &chain{c: c, next: next}
			ctx := origReq.Context()
			if v, ok := visitor(c); ok {
				ctx = middleware.WithVisitor(ctx, v)
			}
			req := origReq.WithContext(context.WithValue(ctx, chainKey{}, st))
			// Restore also after a panic, so that a Recover middleware
			// before this one answers through the original response.
			defer func() {
				c.SetResponse(orig)
				c.SetRequest(origReq)
			}()
			h.ServeHTTP(orig, req)
			return st.err
		}
	}
}

// chain carries one request's echo.Context and the rest of its chain from
// Middleware, through m.Wrap, to serveChain.
type chain struct {
	c    echo.Context
	next echo.HandlerFunc
	err  error
}

type chainKey struct{}

// serveChain is the http.Handler that m.Wrap wraps: it runs the rest of the
// Echo chain with a Response over the writer chatident passes, and the
// request chatident passes.
func serveChain(w http.ResponseWriter, r *http.Request) {
	st, _ := r.Context().Value(chainKey{}).(*chain)
	if st == nil {
		// Only Middleware builds requests that reach here; say so rather than
		// fail obscurely if that ever changes.
		http.Error(w, "echomw: request did not come through echomw.Middleware", http.StatusInternalServerError)
		return
	}
	c := st.c
	c.SetResponse(echo.NewResponse(w, c.Echo()))
	c.SetRequest(r)
	if err := st.next(c); err != nil {
		c.Error(err)
		st.err = err
	}
}

// visitor reads VisitorKey from the echo.Context.
func visitor(c echo.Context) (vendors.Visitor, bool) {
	switch v := c.Get(VisitorKey).(type) {
	case vendors.Visitor:
		return v, true
	case *vendors.Visitor:
		if v != nil {
			return *v, true
		}
	}
	return vendors.Visitor{}, false
}
