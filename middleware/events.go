package middleware

import (
	"context"
	"fmt"
	"net/http"

	"github.com/chatident/chatident/inject"
)

// Response reasons the middleware reports in place of inject.NoScript.
const (
	reasonAnonymous = "anonymous" // an anonymous visitor whose vendors emit nothing
	reasonError     = "error"     // every vendor build failed
)

// observe is the inject.Observe callback: inject calls it once per response
// that reached it, after the application's handler has returned. It reports
// the response and, when the script went in, each vendor script and reset
// that went with it.
func (m *Middleware) observe(r *http.Request, o inject.Outcome) {
	if m.observer == nil {
		return
	}
	ctx := r.Context()
	st := m.stateFrom(ctx)
	reason := string(o.Reason)
	if o.Reason == inject.NoScript && st != nil {
		switch {
		case st.attempted > 0 && st.failed == st.attempted:
			reason = reasonError
		case st.resolved && !st.known:
			reason = reasonAnonymous
		}
	}
	m.emit(ctx, Event{Kind: EventResponse, Reason: reason, Held: o.Held})
	if o.Reason != inject.Injected || st == nil {
		return
	}
	for i, placed := range st.placed {
		if placed&placedReset != 0 {
			m.emit(ctx, Event{Kind: EventReset, Vendor: m.vendors[i].name})
		}
	}
	kind := partAnonymous.String()
	if st.known {
		kind = partIdentify.String()
	}
	for i, placed := range st.placed {
		if placed&placedScript != 0 {
			m.emit(ctx, Event{Kind: EventInjection, Vendor: m.vendors[i].name, Reason: kind})
		}
	}
}

// emit passes e to the observer. A panicking observer is logged and
// otherwise ignored: metrics must not break a response.
func (m *Middleware) emit(ctx context.Context, e Event) {
	if m.observer == nil {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			m.logger.ErrorContext(ctx, "chatident: observer panicked",
				"observer_type", fmt.Sprintf("%T", m.observer), "panic_type", fmt.Sprintf("%T", p))
		}
	}()
	m.observer.Observe(ctx, e)
}

// noteSink passes a vendor's notes (vendors.Request.Notes) on as
// EventNote, and logs them. It lives in the pooled requestState, so handing
// a pointer to it to every vendor allocates nothing.
type noteSink struct {
	m   *Middleware
	ctx context.Context
}

// Note logs and reports that vendor served this visitor less than usual.
// The record has the vendor and the reason, never a visitor value.
func (n *noteSink) Note(vendor, reason string) {
	if n.m == nil {
		return
	}
	n.m.logger.InfoContext(n.ctx, "chatident: vendor served this visitor a reduced script", "vendor", vendor, "reason", reason)
	n.m.emit(n.ctx, Event{Kind: EventNote, Vendor: vendor, Reason: reason})
}
