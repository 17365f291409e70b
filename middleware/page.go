package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/vendors"
)

// page is the middleware's side of one response through the rewriter: the
// inject.Response that inject.HandlerFor asks for the script when the
// response turns out eligible, tells what the headers commit to, and reports
// the outcome to. Nothing about the request is kept in its context.
//
// It is pooled: open takes one, Done (which inject calls exactly once, last)
// gives it back; the data buffer and per-vendor flags are reused.
type page struct {
	m *Middleware
	r *http.Request

	asked      bool
	identity   bool // the identity endpoint's answer, not a page
	known      bool // a signed-in visitor
	identified bool // at least one vendor's identity is in the data
	plan       signOutPlan
	data       []byte
	vd         vendors.Data
	placed     []uint8  // per vendor: placedScript|placedReset|placedDeclined
	notes      noteSink // vendors' notes for this page, as vendors.Request.Notes
	attempted  int      // vendor data written or tried
	failed     int      // of which failed
}

// Per-vendor flags in page.placed.
const (
	placedScript   uint8 = 1 << iota // the identity or anonymous code applies
	placedReset                      // the reset applies
	placedDeclined                   // a signed-in visitor got the anonymous code (vendors.ErrAnonymous)
)

// The modes of a vendor's entry in the page data, also the reasons of
// EventInjection.
const (
	modeIdentify  = "identify"
	modeAnonymous = "anonymous"
)

// maxPooledData bounds the data buffer kept for reuse, so that one page with
// unusually large data does not pin that memory in the pool.
const maxPooledData = 64 << 10

// open is the inject.HandlerFor callback: one page per response.
func (m *Middleware) open(_ http.ResponseWriter, r *http.Request) inject.Response {
	p := m.pages.Get().(*page)
	p.r = r
	return p
}

// Script resolves the visitor, decides about sign-out resets and writes the
// page data: {"v":1,"vendors":{"<name>":{"reset":true,"mode":"identify",
// "data":{…}},…}}. The code is the middleware's constant page script. It
// returns no code when no vendor has anything to do, and never panics.
func (p *page) Script(http.Header) (ins inject.Insertion) {
	m := p.m
	p.asked = true
	ctx := p.r.Context()
	defer func() {
		if x := recover(); x != nil {
			// Only our own code runs unguarded here; keep the page unchanged.
			m.logger.ErrorContext(ctx, "chatident: building the page data panicked; the page is served unchanged",
				"panic_type", fmt.Sprintf("%T", x))
			clear(p.placed)
			p.identified, p.plan.resets = false, false
			ins = inject.Insertion{}
		}
	}()

	// Without consent the visitor is not even looked up: nothing about
	// them can reach the data.
	consented := m.consented(p.r)
	var v vendors.Visitor
	var known bool
	if consented {
		v, known = m.resolve(p.r)
	}
	withheld := !consented && m.withoutConsent == ConsentNothing
	p.known = known
	now := m.now()
	if m.signOut != nil {
		p.plan = m.signOut.plan(p.r, v.ID, known, now.Unix())
	}
	p.notes = noteSink{m: m, ctx: ctx}
	req := vendors.Request{HTTP: p.r, Now: now, Notes: &p.notes}
	b := append(p.data[:0], `{"v":1,`...)
	if withheld {
		b = append(b, `"withheld":true,`...)
	}
	b = append(b, `"vendors":{`...)
	entries := 0
	for i := range m.vendors {
		e := &m.vendors[i]
		reset := p.plan.resets && e.script.Reset != ""
		mode := ""
		switch {
		case withheld:
		case known && e.script.Identify != "":
			mode = modeIdentify
		case !known && e.script.Anonymous != "":
			mode = modeAnonymous
		}
		if !reset && mode == "" {
			continue
		}
		mark := len(b)
		if entries > 0 {
			b = append(b, ',')
		}
		b = append(b, e.key...) // "name":{
		if reset {
			b = append(b, `"reset":true`...)
			p.placed[i] |= placedReset
		}
		if mode != "" {
			var ok, declined bool
			if b, ok, declined = p.vendorData(ctx, i, mode, req, v, b, reset); ok {
				p.placed[i] |= placedScript
				p.identified = p.identified || mode == modeIdentify
			}
			if declined {
				// The vendor declined to identify this visitor: its
				// anonymous code, if it has one, keeps the widget.
				if e.script.Anonymous != "" {
					if b, ok, _ = p.vendorData(ctx, i, modeAnonymous, req, v, b, reset); ok {
						p.placed[i] |= placedScript | placedDeclined
					}
				}
			}
		}
		if p.placed[i] == 0 {
			b = b[:mark] // nothing of this vendor applies
			continue
		}
		b = append(b, '}')
		entries++
	}
	b = append(b, "}}"...)
	p.data = b
	if entries == 0 && consented && !m.everyPage {
		// Without consent the runtime stays, data or not, so that consent
		// given later can be picked up without a reload.
		return inject.Insertion{}
	}
	return inject.Insertion{Code: m.code, Data: b}
}

// vendorData appends vendor i's mode and data to b. A vendor that fails (an
// error or a panic) is left out of this page, logged and reported; b is then
// returned as it was, with ok false. A vendor whose Identify returns
// vendors.ErrAnonymous is not a failure: declined says so, and b is
// returned as it was.
func (p *page) vendorData(ctx context.Context, i int, mode string, req vendors.Request, v vendors.Visitor, b []byte, after bool) (out []byte, ok, declined bool) {
	m := p.m
	e := &m.vendors[i]
	p.attempted++
	mark := len(b)
	defer func() {
		if x := recover(); x != nil {
			m.buildFailed(ctx, e.name, mode, buildPanic, fmt.Sprintf("%T", x), nil)
			out, ok = b[:mark], false
		}
		if !ok && !declined {
			p.failed++
		}
	}()
	if after {
		b = append(b, ',')
	}
	b = append(b, `"mode":"`...)
	b = append(b, mode...)
	b = append(b, '"')
	req.Endpoints = e.base
	var err error
	switch {
	case mode == modeIdentify:
		b = append(b, `,"data":`...)
		p.vd.Reset(b)
		err = e.v.Identify(ctx, req, v, &p.vd)
	case e.anon != nil:
		b = append(b, `,"data":`...)
		p.vd.Reset(b)
		err = e.anon.Anonymous(ctx, req, &p.vd)
	default:
		return b, true, false
	}
	var nb []byte
	if err == nil {
		nb, err = p.vd.Bytes()
	}
	if mode == modeIdentify && errors.Is(err, vendors.ErrAnonymous) {
		p.attempted-- // not a failure: the vendor will be asked again
		return b[:mark], false, true
	}
	if err != nil {
		m.buildFailed(ctx, e.name, mode, buildError, fmt.Sprintf("%T", err), err)
		return b[:mark], false, false
	}
	return nb, true, false
}

// Commit sets or expires the sign-out marker on the held headers, by what
// they promise about the script (see SignOut): nothing is recorded for a
// page that goes out without it, so its resets wait for the next page. When
// the headers must go before the marker was found (inject.Maybe), the
// script is almost always placed later, so the marker is updated as if it
// were: keeping it would repeat the resets on every page of a site that
// flushes early. A speculative prefetch never consumes the resets.
func (p *page) Commit(h http.Header, c inject.Commit) bool {
	if p.m.signOut == nil {
		return false
	}
	placed := c != inject.Without
	// A prefetched page may never be shown: its resets also stay for the
	// next page (see prefetchOnly).
	consumed := p.plan.resets && placed && !prefetchOnly(p.r)
	return p.m.signOut.finish(p.m.logger, p.r, h, p.plan, p.identified && placed, consumed)
}

// Done reports the outcome and returns the page to the pool.
func (p *page) Done(o inject.Outcome) {
	m := p.m
	if m.observer != nil {
		p.report(o)
	}
	data := p.data[:0]
	if cap(data) > maxPooledData {
		data = nil
	}
	placed := p.placed
	clear(placed)
	*p = page{m: m, data: data, placed: placed}
	m.pages.Put(p)
}

// report emits the response and, when the script went in, each vendor's
// reset and identity that went with it.
func (p *page) report(o inject.Outcome) {
	m := p.m
	ctx := p.r.Context()
	reason := string(o.Reason)
	if p.identity {
		reason = reasonIdentity
	}
	if o.Reason == inject.NoScript && p.asked {
		switch {
		case p.attempted > 0 && p.failed == p.attempted:
			reason = reasonError
		case !p.known:
			reason = reasonAnonymous
		}
	}
	m.emit(ctx, Event{Kind: EventResponse, Reason: reason, Held: o.Held})
	if o.Reason != inject.Injected {
		return
	}
	for i, placed := range p.placed {
		if placed&placedReset != 0 {
			m.emit(ctx, Event{Kind: EventReset, Vendor: m.vendors[i].name})
		}
	}
	for i, placed := range p.placed {
		if placed&placedScript != 0 {
			kind := modeAnonymous
			if p.known && placed&placedDeclined == 0 {
				kind = modeIdentify
			}
			m.emit(ctx, Event{Kind: EventInjection, Vendor: m.vendors[i].name, Reason: kind})
		}
	}
}
