package middleware

import (
	"context"
	"errors"
	"fmt"

	"github.com/chatident/chatident/vendors"
)

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
// EventNote, and logs them. It lives in the pooled page, so handing
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

// buildFailed logs and reports one vendor's failure to write its data.
//
// The vendor's error text is never logged: the Vendor contract does not
// promise it is free of visitor values, and logs must not carry them. The
// record names the vendor, the mode, the kind of failure and the error's
// type, and, when the error is a *vendors.ConfigError, its Field (a Go field
// name), which is usually enough to find the cause in the vendor's code.
func (m *Middleware) buildFailed(ctx context.Context, vendor, mode, reason, errType string, err error) {
	attrs := []any{"vendor", vendor, "script", mode, "reason", reason}
	if errType != "" {
		attrs = append(attrs, "error_type", errType)
	}
	var ce *vendors.ConfigError
	if errors.As(err, &ce) {
		attrs = append(attrs, "field", ce.Field)
	}
	m.logger.ErrorContext(ctx, "chatident: vendor data failed; the page is served without this vendor", attrs...)
	m.emit(ctx, Event{Kind: EventBuildError, Vendor: vendor, Reason: reason})
}
