package inject

import (
	"net/http"
	"strings"
)

// decideAt says what prompted the eligibility decision.
type decideAt uint8

const (
	atWrite decideAt = iota // a body write: may wait for more bytes to sniff
	atFlush                 // a flush: the headers must go now
	atEnd                   // the handler returned: no more bytes will come
)

// decide makes the once-only eligibility decision and then handles p, the
// bytes being written (nil at a flush or the end), accordingly. The checks
// run cheapest first, and the script function is called only when all the
// others pass:
//
//	not a document (see Documents) → Fragment; status → Status; Content-Encoding → Encoded;
//	Content-Type (sniffed when unset) → NotHTML; a charset that is not
//	ASCII-compatible, or a UTF-16 byte order mark → Charset;
//	HEAD → Method (see head); empty body → NoMarker;
//	script → NoScript, BadScript; Content-Security-Policy → CSPBlocks.
func (rs *response) decide(p []byte, when decideAt) (int, error) {
	reason, sniff := rs.classify()
	if sniff {
		// net/http sniffs the first up to 512 bytes buffered at its first
		// flush: gather as many, unless a flush or the end comes first.
		if when == atWrite && len(rs.buf)+len(p) < sniffLen {
			rs.buf = append(rs.heldBuf(), p...)
			return len(p), nil
		}
		reason = rs.sniff(p)
	}
	if reason == "" && rs.codec == nil {
		// A UTF-16 byte order mark makes a browser read the page as UTF-16
		// whatever its type says: look at the first two bytes (buf then p)
		// before anything is decided, waiting for them if need be. (Bytes
		// still compressed say nothing about it.)
		var first [2]byte
		n := copy(first[:], rs.buf)
		n += copy(first[n:], p)
		switch {
		case utf16BOM(first[:n]):
			reason = Charset
		case when == atWrite && n < 2 && (n == 0 || first[0] == 0xFE || first[0] == 0xFF):
			rs.buf = append(rs.heldBuf(), p...)
			return len(p), nil
		}
	}
	if reason == "" && rs.req.Method == http.MethodHead {
		return rs.head(p)
	}
	if reason == "" && when == atEnd && !rs.wrote {
		reason = NoMarker // nothing to insert into: spare the script function
	}
	if reason == "" {
		reason = rs.prepare()
	}
	if reason != "" {
		rs.out.Reason = reason
		rs.phase = phasePass
		rs.commit(formOriginal)
		err := rs.send(0, len(rs.buf)+len(p), p)
		rs.buf = rs.buf[:0]
		return rs.result(p, err)
	}

	rs.phase = phaseScan
	rs.scan.reset(rs.h.cfg.placement)
	if !declaresCharset(rs.w.Header()["Content-Type"]) {
		rs.scan.watchCharset(rs.insLen) // a <meta charset> may decide the encoding
	}
	if rs.codec != nil {
		return rs.startDecoding(p) // nothing was sniffed: buf is empty
	}
	if sample := rs.heldBuf(); len(sample) > 0 {
		// The sniffed bytes are the start of the stream: scan them first.
		// They stay where they are; scanWrite copies with overlap in mind.
		rs.buf = sample[:0]
		if _, err := rs.scanWrite(sample); err != nil {
			return 0, err
		}
	}
	switch {
	case len(p) == 0:
		return 0, nil
	case rs.phase == phasePass: // inserted within the sample
		return rs.w.Write(p)
	}
	return rs.scanWrite(p)
}

// classify runs the checks that need no body. reason is "" when the
// response is HTML so far; sniff says the type must be sniffed from the
// body first.
func (rs *response) classify() (reason Reason, sniff bool) {
	if !rs.h.cfg.documents(rs.req) {
		return Fragment, false
	}
	if !rs.h.cfg.eligible(rs.status) {
		return Status, false
	}
	// Direct lookups of canonical keys: foldGoverned has moved every other
	// spelling the application wrote into the map there.
	h := rs.w.Header()
	foldGoverned(h)
	if ce := h["Content-Encoding"]; anyValue(ce) {
		if reason := rs.encoding(ce); reason != "" {
			return reason, false
		}
	}
	ct, ok := h["Content-Type"]
	if !ok {
		if te := h["Transfer-Encoding"]; anyValue(te) {
			return NotHTML, false // net/http does not sniff then, and sends no type
		}
		return "", true
	}
	if len(ct) == 0 || !allHTMLTypes(ct) {
		// A present but nil Content-Type suppresses the header in net/http.
		return NotHTML, false
	}
	if asciiIncompatibleType(ct) {
		return Charset, false
	}
	return "", false
}

// classifyEmpty is classify for a handler that wrote nothing at all:
// net/http then sends 200 with no body and no sniffed type.
func (rs *response) classifyEmpty() Reason {
	reason, sniff := rs.classify()
	switch {
	case reason != "":
		return reason
	case sniff:
		return NotHTML
	case rs.req.Method == http.MethodHead:
		// A handler that answers HEAD with headers only: the GET it
		// mirrors has a body, so its header decisions apply (the map is
		// still the one net/http sends).
		privatize(rs.w.Header(), 0, false, rs.vals)
		return Method
	}
	return NoMarker
}

// head answers a HEAD request for a page that would get the script, as
// Method. Its headers are those the GET it mirrors gets (privatize:
// private, Vary: Cookie, no validators, no CDN cache fields), except that
// Content-Length is removed: the inserted length is not known without the
// script. Content-Security-Policy stays as the application set it: the
// nonce or hash the GET's element needs is not known either. The script
// function is not called (no signing; a sign-out reset stays for the next
// page), and the body the handler writes is dropped: net/http would not
// send it, but would compute a Content-Length, the un-injected one, from it.
func (rs *response) head(p []byte) (int, error) {
	rs.out.Reason = Method
	rs.phase = phasePass
	rs.commit(formMayInject) // privatize without a length, no CSP change
	rs.buf = rs.buf[:0]
	rs.w = headWriter{rs.w}
	return len(p), nil
}

// headWriter is the underlying writer of a HEAD response once its headers
// are sent: body bytes go nowhere. Unwrap lets http.ResponseController
// reach the underlying Flush and Hijack.
type headWriter struct{ http.ResponseWriter }

// Write drops p, as net/http does for HEAD, but before net/http can count it.
func (w headWriter) Write(p []byte) (int, error) { return len(p), nil }

// Unwrap returns the underlying writer.
func (w headWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// sniff sets the Content-Type net/http would sniff from the body's first
// bytes (buf then p), explicitly, so the inserted bytes cannot change it.
// An empty body gets no type, as in net/http.
func (rs *response) sniff(p []byte) Reason {
	sample := p[:min(len(p), sniffLen)]
	if len(rs.buf) > 0 {
		// Copy the head of p behind the held bytes, into spare capacity,
		// to have the sample in one piece; buf itself does not grow.
		n := copy(rs.buf[len(rs.buf):sniffLen], p)
		sample = rs.buf[:len(rs.buf)+n]
	}
	if len(sample) == 0 {
		return NotHTML
	}
	ct := http.DetectContentType(sample)
	rs.w.Header().Set("Content-Type", ct)
	if !isHTMLType(ct) {
		return NotHTML
	}
	return ""
}

// anyValue reports whether a header has a non-empty value.
func anyValue(v []string) bool {
	for _, s := range v {
		if s != "" {
			return true
		}
	}
	return false
}

// allHTMLTypes reports whether every Content-Type value is an HTML type. A
// browser reads several values (or one with a comma) as one list and may
// take another type or charset from a later element, so a value list that
// is not HTML throughout is not HTML.
func allHTMLTypes(values []string) bool {
	for _, v := range values {
		if strings.IndexByte(v, ',') >= 0 || !isHTMLType(v) {
			return false
		}
	}
	return true
}

// isHTMLType reports whether a Content-Type value is text/html or
// application/xhtml+xml, whatever its parameters and case.
func isHTMLType(v string) bool {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	v = strings.Trim(v, " \t")
	return equalFoldASCII(v, "text/html") || equalFoldASCII(v, "application/xhtml+xml")
}
