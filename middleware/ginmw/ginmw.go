// Package ginmw runs the chatident middleware inside a Gin engine.
//
// It is a Go module of its own, so that applications on plain net/http never
// download Gin. Register it with engine.Use after the middleware that signs
// visitors in and before the handlers that render pages:
//
//	mw, err := middleware.New(middleware.Config{Vendors: ...})
//	...
//	r := gin.New()
//	r.Use(gin.Logger(), gin.Recovery(), auth, ginmw.Middleware(mw))
//
// Everything that runs after it in the chain writes through the chatident
// rewriter, including c.HTML, c.String, c.Stream, c.File and error handlers,
// and sees a gin.ResponseWriter whose Status, Size and Written describe what
// the application wrote (Size excludes the inserted script). Middleware
// registered before it sees the response as sent. As with Gin's own writer,
// WriteHeader only records the status for the first Write, so informational
// responses such as 103 Early Hints are not sent.
package ginmw

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// VisitorKey is the gin.Context key under which an earlier middleware puts
// the signed-in visitor, as a vendors.Visitor or a *vendors.Visitor:
//
//	c.Set(ginmw.VisitorKey, vendors.Visitor{ID: user.ID, Name: user.Name})
//
// It takes precedence over the Config's Sources and over a visitor already in
// the request context. A nil *vendors.Visitor, or a value of any other type,
// counts as no visitor under this key.
const VisitorKey = "chatident.visitor"

// Middleware returns a Gin handler that runs the rest of the chain inside
// m.Wrap: vendor endpoints are answered (and the chain stopped), and HTML
// responses get the vendors' scripts. It panics if m is nil, so the mistake
// shows at start-up.
func Middleware(m *middleware.Middleware) gin.HandlerFunc {
	if m == nil {
		panic("ginmw: Middleware(nil)")
	}
	h := m.Wrap(http.HandlerFunc(serveChain))
	return func(c *gin.Context) {
		orig := c.Writer
		origReq := c.Request
		st := &chain{c: c, status: orig.Status()}
		ctx := origReq.Context()
		if v, ok := visitor(c); ok {
			ctx = middleware.WithVisitor(ctx, v)
		}
		req := origReq.WithContext(context.WithValue(ctx, chainKey{}, st))
		defer func() {
			// Also after a panic, so that gin.Recovery (or any middleware
			// before this one) writes through Gin's own writer.
			c.Writer, c.Request = orig, origReq
			if st.w != nil {
				st.w.release()
			}
		}()
		// Gin presets 404 or 405 before running NoRoute and NoMethod
		// handlers. What chatident answers itself (its endpoints) follows
		// net/http instead, where a response without WriteHeader is a 200.
		// The application's chain still starts from Gin's status: serveChain
		// hands it to the writer the chain sees, which always sends it
		// explicitly.
		if !orig.Written() {
			orig.WriteHeader(http.StatusOK)
		}
		h.ServeHTTP(orig, req)
		if !st.called {
			// chatident answered the request itself: nothing after this
			// handler may add to the response.
			c.Abort()
		}
	}
}

// chain carries one request's gin.Context from Middleware, through m.Wrap,
// to serveChain.
type chain struct {
	c      *gin.Context
	status int // Gin's status before chatident ran
	called bool
	w      *responseWriter
}

type chainKey struct{}

// serveChain is the http.Handler that m.Wrap wraps: it continues the Gin
// chain with Gin's writer and request replaced by the ones chatident passes.
func serveChain(w http.ResponseWriter, r *http.Request) {
	st, _ := r.Context().Value(chainKey{}).(*chain)
	if st == nil {
		// Only Middleware builds requests that reach here; say so rather than
		// fail obscurely if that ever changes.
		http.Error(w, "ginmw: request did not come through ginmw.Middleware", http.StatusInternalServerError)
		return
	}
	st.called = true
	st.w = newResponseWriter(r.Context(), w, st.status)
	st.c.Writer = st.w
	st.c.Request = r
	st.c.Next()
	// Gin sends a status that was set but never written once the chain is
	// done; chatident must see it before its wrapper finishes.
	st.w.WriteHeaderNow()
}

// visitor reads VisitorKey from the gin.Context.
func visitor(c *gin.Context) (vendors.Visitor, bool) {
	val, _ := c.Get(VisitorKey)
	switch v := val.(type) {
	case vendors.Visitor:
		return v, true
	case *vendors.Visitor:
		if v != nil {
			return *v, true
		}
	}
	return vendors.Visitor{}, false
}
