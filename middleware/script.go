package middleware

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/chatident/chatident/vendors"
)

// part is which script a vendor is asked for.
type part uint8

const (
	partIdentify part = iota
	partAnonymous
	partReset
)

func (p part) String() string {
	switch p {
	case partIdentify:
		return "identify"
	case partAnonymous:
		return "anonymous"
	default:
		return "reset"
	}
}

// Each vendor's statements are wrapped so that a runtime error in one cannot
// stop the others. The newlines keep a trailing // comment in a vendor's
// script from swallowing the catch. A syntax error cannot be caught this way;
// vendors promise valid JavaScript.
const (
	tryOpen  = "try{\n"
	tryClose = "\n}catch(e){}\n"
)

// script is the callback inject calls once, when a response has turned out to
// be eligible HTML and its headers are still held. It resolves the visitor,
// decides about sign-out resets, asks every vendor for its script, and
// returns them concatenated in Config order: all resets first, then each
// vendor's identity (or anonymous) script. It returns nil when there is
// nothing to insert, and never panics.
func (m *Middleware) script(r *http.Request) []byte {
	st := m.stateFrom(r.Context())
	if st == nil {
		return nil
	}
	if st.built {
		return st.script
	}
	st.built = true
	ctx := r.Context()
	defer func() {
		if p := recover(); p != nil {
			// Only our own code runs unguarded here; keep the page unchanged.
			m.logger.ErrorContext(ctx, "chatident: building the page script panicked; the page is served unchanged",
				"panic_type", fmt.Sprintf("%T", p))
			st.script = st.script[:0]
			clear(st.placed)
		}
	}()

	v, known := st.visitorFor(m, r)
	st.notes = noteSink{m: m, ctx: ctx}
	req := vendors.Request{HTTP: r, Now: st.clock(m), Notes: &st.notes}

	var plan signOutPlan
	if m.signOut != nil {
		plan = m.signOut.plan(r, v.ID, known)
	}
	consumed := false
	if plan.resets {
		failed := 0
		for i := range m.vendors {
			if !m.build(ctx, st, i, partReset, req, v) {
				failed++
			}
		}
		consumed = failed < len(m.vendors)
	}
	p := partAnonymous
	if known {
		p = partIdentify
	}
	identified := false
	for i := range m.vendors {
		m.build(ctx, st, i, p, req, v)
		identified = identified || (known && st.placed[i]&placedScript != 0)
	}
	if m.signOut != nil {
		if err := m.signOut.finish(st.w, r, plan, identified, consumed); err != nil {
			m.logger.ErrorContext(ctx, "chatident: cannot set the sign-out marker", "error", err)
		}
	}
	if len(st.script) == 0 {
		return nil
	}
	return st.script
}

// build asks vendor i for one script and appends it, wrapped, to the page
// script. A vendor that fails (an error, a panic, or a script that could end
// its <script> element) is left out of this page, logged and reported; build
// then returns false.
func (m *Middleware) build(ctx context.Context, st *requestState, i int, p part, req vendors.Request, v vendors.Visitor) (ok bool) {
	e := &m.vendors[i]
	st.attempted++
	defer func() {
		if x := recover(); x != nil {
			m.buildFailed(ctx, e.name, p, "panic", fmt.Sprintf("%T", x), nil)
			ok = false
		}
		if !ok {
			st.failed++
		}
	}()
	req.Endpoints = e.base
	var b []byte
	var err error
	switch p {
	case partIdentify:
		b, err = e.v.Identify(ctx, req, v)
	case partAnonymous:
		b, err = e.v.Anonymous(ctx, req)
	default:
		b, err = e.v.Reset(ctx, req)
	}
	if err != nil {
		m.buildFailed(ctx, e.name, p, "error", fmt.Sprintf("%T", err), err)
		return false
	}
	if len(b) == 0 {
		return true
	}
	if !safeScript(b) {
		m.buildFailed(ctx, e.name, p, "unsafe", "", nil)
		return false
	}
	st.script = append(st.script, tryOpen...)
	st.script = append(st.script, b...)
	st.script = append(st.script, tryClose...)
	if p == partReset {
		st.placed[i] |= placedReset
	} else {
		st.placed[i] |= placedScript
	}
	return true
}

// buildFailed logs and reports one vendor's failure.
//
// The vendor's error text is never logged: the Vendor contract does not
// promise it is free of visitor values, and logs must not carry them. The
// record names the vendor, the script, the kind of failure and the error's
// type, and, when the error is a *vendors.ConfigError, its Field (a Go field
// name), which is usually enough to find the cause in the vendor's code.
func (m *Middleware) buildFailed(ctx context.Context, vendor string, p part, reason, errType string, err error) {
	attrs := []any{"vendor", vendor, "script", p.String(), "reason", reason}
	if errType != "" {
		attrs = append(attrs, "error_type", errType)
	}
	var ce *vendors.ConfigError
	if errors.As(err, &ce) {
		attrs = append(attrs, "field", ce.Field)
	}
	m.logger.ErrorContext(ctx, "chatident: vendor script failed; the page is served without it", attrs...)
	m.emit(ctx, Event{Kind: EventBuildError, Vendor: vendor, Reason: reason})
}

// safeScript reports whether b can sit between <script> and </script>
// without ending the element or entering an HTML comment state, and is
// ASCII, as the Vendor contract promises. A vendor that breaks the promise
// is left out rather than making inject refuse the whole page script.
func safeScript(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	for i := bytes.IndexByte(b, '<'); i >= 0; {
		rest := b[i:]
		if bytes.HasPrefix(rest, []byte("<!--")) || hasPrefixFold(rest, "</script") {
			return false
		}
		j := bytes.IndexByte(rest[1:], '<')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return true
}

// hasPrefixFold is bytes.HasPrefix with ASCII case folding on prefix, which
// must be lower case.
func hasPrefixFold(b []byte, prefix string) bool {
	if len(b) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}
