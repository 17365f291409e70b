package middleware

import (
	"context"
	"net/http"
	"time"

	"github.com/chatident/chatident/vendors"
)

// requestState is what the middleware knows about one request while the
// application answers it. It is pooled: every field is reset on release, and
// the script buffer and per-vendor flags are reused.
//
// The request context carries a pointer to it for the script callback and
// the outcome observer, which inject calls with the request it was given.
// Only this package reads it, and only while the request is being served, so
// a context the application keeps after the response cannot see a later
// request's state through any exported API.
type requestState struct {
	w http.ResponseWriter // the writer Wrap's handler got, beneath inject's

	nowSet bool
	now    time.Time

	resolved bool
	known    bool
	visitor  vendors.Visitor

	built     bool
	script    []byte
	placed    []uint8 // per vendor, placedScript|placedReset
	attempted int     // vendor builds tried for this page
	failed    int     // of which failed

	notes noteSink // vendors' notes for this page, as vendors.Request.Notes
}

// Per-vendor flags in requestState.placed.
const (
	placedScript uint8 = 1 << iota // the identity or anonymous script is in the page script
	placedReset                    // the sign-out reset is in the page script
)

// maxPooledScript bounds the script buffer kept for reuse, so that one page
// with an unusually large script does not pin that memory in the pool.
const maxPooledScript = 64 << 10

type stateKey struct{ m *Middleware }

func (m *Middleware) acquire(w http.ResponseWriter) *requestState {
	st := m.states.Get().(*requestState)
	st.w = w
	return st
}

func (m *Middleware) release(st *requestState) {
	script, placed := st.script[:0], st.placed
	if cap(script) > maxPooledScript {
		script = nil
	}
	clear(placed)
	*st = requestState{script: script, placed: placed}
	m.states.Put(st)
}

// attach returns ctx carrying st; the key is per Middleware so that two
// nested Middlewares each find their own state.
func (m *Middleware) attach(ctx context.Context, st *requestState) context.Context {
	return context.WithValue(ctx, stateKey{m}, st)
}

// stateFrom returns the state Wrap's handler attached to ctx, or nil.
func (m *Middleware) stateFrom(ctx context.Context) *requestState {
	st, _ := ctx.Value(stateKey{m}).(*requestState)
	return st
}

// clock returns the request's time, read once from Config.Now.
func (st *requestState) clock(m *Middleware) time.Time {
	if !st.nowSet {
		st.now, st.nowSet = m.now(), true
	}
	return st.now
}

// visitorFor resolves the request's visitor once and caches it.
func (st *requestState) visitorFor(m *Middleware, r *http.Request) (vendors.Visitor, bool) {
	if !st.resolved {
		st.visitor, st.known = m.resolve(r)
		st.resolved = true
	}
	return st.visitor, st.known
}
