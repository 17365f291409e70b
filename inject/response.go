package inject

import (
	"bufio"
	"io"
	"net"
	"net/http"
)

// phase is where a response stands in its life.
type phase uint8

const (
	// phaseUndecided: eligibility is not known yet; the status and headers
	// are held, and up to sniffLen bytes of body when the type must be
	// sniffed.
	phaseUndecided phase = iota
	// phaseScan: eligible; looking for the marker. Body bytes are held
	// while the headers are, then only those from the scanner's hold on.
	phaseScan
	// phasePass: everything goes straight to the underlying writer
	// (ineligible, inserted, or stopped looking).
	phasePass
	// phaseHijacked: the application owns the connection.
	phaseHijacked
)

// sniffLen is how much body net/http looks at to sniff a Content-Type.
const sniffLen = 512

// closeTag ends the inserted element.
const closeTag = "</script>"

// response is the pooled state of one response.
type response struct {
	h   *handler
	w   http.ResponseWriter
	req *http.Request

	phase       phase
	status      int  // the final status; 0 until WriteHeader or the first Write
	wrote       bool // the application wrote at least one body byte
	headersSent bool // the underlying WriteHeader was called
	private     bool // the headers went out made private (privatize, privateCaching)

	// buf holds body bytes not sent yet: the sniff sample, then, while
	// scanning, the bytes of the stream from offset sent on. Its capacity
	// is fixed (see handler.bufCap) and it never grows.
	buf  []byte
	sent int64 // stream offset of buf[0]: body bytes already sent
	fed  int64 // body bytes fed to the scanner
	hold int64 // the scanner's latest hold offset
	scan scanner

	resp      Response // the caller's side of the contract; nil: no script
	asked     bool     // resp.Script was called
	committed bool     // resp.Commit was called
	script    []byte   // Insertion.Code, once eligible
	data      []byte   // Insertion.Data
	// personal: Commit added something made for one visitor to the held
	// headers, so the response is for one visitor even if nothing is inserted.
	personal bool
	tag      []byte  // the start tag up to the data, what follows the data, the end tag
	openLen  int     // the length of the start tag up to the data in tag
	midEnd   int     // where the end tag starts in tag
	insLen   int     // the length of the whole element
	csp      cspPlan // nonce and policy changes
	out      Outcome
	err      error // a write error met while rewriting; sticks

	scratch []byte // ReadFrom's read buffer while scanning, made on first use

	vals *[2]string // header value storage lent by the writer

	codec    Codec     // the codec for the response's Content-Encoding, if any
	dec      *decoding // &decState while decoding; see decode.go
	decState decoding
}

// start prepares a pooled response for a new request.
func (rs *response) start(h *handler, w http.ResponseWriter, r *http.Request) {
	rs.h, rs.w, rs.req = h, w, r
	rs.phase, rs.status, rs.wrote, rs.headersSent = phaseUndecided, 0, false, false
	rs.private = false
	rs.buf = rs.buf[:0]
	rs.sent, rs.fed, rs.hold = 0, 0, 0
	rs.script, rs.data, rs.csp, rs.out, rs.err = nil, nil, cspPlan{}, Outcome{}, nil
	rs.personal, rs.asked, rs.committed = false, false, false
	rs.codec, rs.dec = nil, nil
}

// release drops every reference to the finished request, so the pool pins
// nothing of it.
func (rs *response) release() {
	if rs.dec != nil {
		rs.dropDecoding() // every path ends decoding first; this is a safety net
	}
	rs.codec = nil
	rs.h, rs.w, rs.req, rs.script, rs.csp, rs.err, rs.vals = nil, nil, nil, nil, cspPlan{}, nil, nil
	rs.resp, rs.data = nil, nil
	rs.buf = rs.buf[:0]
}

// heldBuf returns buf, making it on first use with its fixed capacity.
func (rs *response) heldBuf() []byte {
	if rs.buf == nil || cap(rs.buf) < rs.h.bufCap {
		rs.buf = make([]byte, 0, rs.h.bufCap)
	}
	return rs.buf
}

func (rs *response) writeHeader(code int) {
	if rs.status != 0 || rs.phase == phaseHijacked {
		return // superfluous: the first final status stands
	}
	switch {
	case code < 100 || code > 999:
		// net/http panics on such a code, inside the application's call.
		// Hand it on untouched so that the same happens there.
		rs.status, rs.phase, rs.headersSent = code, phasePass, true
		rs.out.Reason = Status
		rs.w.WriteHeader(code)
	case code < 200 && code != http.StatusSwitchingProtocols:
		rs.w.WriteHeader(code) // informational: at once, and not final
	default:
		rs.status = code
	}
}

func (rs *response) write(p []byte) (int, error) {
	if rs.dec != nil {
		return rs.decodeWrite(p) // coded bytes: see decode.go
	}
	switch rs.phase {
	case phasePass:
		return rs.w.Write(p)
	case phaseHijacked:
		return 0, http.ErrHijacked
	}
	if rs.err != nil {
		return 0, rs.err
	}
	if rs.status == 0 {
		rs.status = http.StatusOK
	}
	if len(p) > 0 {
		rs.wrote = true
	}
	if rs.phase == phaseUndecided {
		return rs.decide(p, atWrite)
	}
	return rs.scanWrite(p)
}

// scanWrite feeds p to the scanner and sends, holds or rewrites.
// The bytes not sent yet are buf followed by p; buf[0] is at stream offset
// sent. p may lie in buf's spare capacity or at its start (see decide):
// every move below is a copy, which allows overlap.
func (rs *response) scanWrite(p []byte) (int, error) {
	at, hold := rs.scan.feed(p)
	rs.fed += int64(len(p))
	if at >= 0 {
		return rs.insert(at, p)
	}
	if rs.scan.declined {
		return rs.passOn(rs.scan.why, p)
	}
	// A scanner that broke its contract must not make us drop bytes.
	rs.hold = max(rs.sent, min(hold, rs.fed))
	if !rs.headersSent && len(rs.buf)+len(p) <= rs.h.cfg.maxHeld {
		rs.buf = append(rs.buf, p...)
		return len(p), nil
	}
	// The buffer is full, or the headers have gone already: stream.
	rs.commit(formMayInject)
	if err := rs.sendToHold(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// sendToHold sends the pending bytes (buf then p) before the hold offset
// and keeps the rest in buf, or gives up when the rest alone fills MaxHeld.
func (rs *response) sendToHold(p []byte) error {
	total := len(rs.buf) + len(p)
	k := int(rs.hold - rs.sent)
	if tail := total - k; tail >= rs.h.cfg.maxHeld {
		// One run of bytes that could still hold the marker filled the
		// buffer (a huge tag): pass everything on, never truncate.
		rs.out.Reason, rs.out.Held = GaveUp, tail
		rs.phase = phasePass
		err := rs.send(0, total, p)
		rs.buf = rs.buf[:0]
		return err
	}
	err := rs.send(0, k, p)
	if bl := len(rs.buf); k <= bl {
		n := copy(rs.buf, rs.buf[k:])
		rs.buf = append(rs.buf[:n], p...)
	} else {
		rs.buf = append(rs.buf[:0], p[k-bl:]...)
	}
	rs.sent += int64(k)
	return rs.fail(err)
}

// insert writes the pending bytes with the element at stream offset at.
func (rs *response) insert(at int64, p []byte) (int, error) {
	total := len(rs.buf) + len(p)
	i := at - rs.sent
	if i < 0 || i > int64(total) {
		// The offset is outside the bytes still in hand, which the
		// scanner's contract rules out: give up rather than guess.
		rs.commit(formOriginal)
		rs.out.Reason, rs.out.Held = GaveUp, len(rs.buf)
		rs.phase = phasePass
		err := rs.send(0, total, p)
		rs.buf = rs.buf[:0]
		return rs.result(p, err)
	}
	rs.out.Reason, rs.out.Held, rs.out.Inserted = Injected, len(rs.buf), rs.insLen
	rs.commit(formInjected) // a no-op when the headers went out in may-inject form
	rs.phase = phasePass
	err := rs.send(0, int(i), p)
	if err == nil {
		err = rs.writeElement()
	}
	if err == nil {
		err = rs.send(int(i), total, p)
	}
	rs.buf = rs.buf[:0]
	return rs.result(p, err)
}

// passOn stops looking: the pending bytes (buf then p) go out unchanged,
// with the original headers if they are still held, and reason is reported.
func (rs *response) passOn(reason Reason, p []byte) (int, error) {
	rs.commit(formOriginal)
	rs.out.Reason, rs.out.Held = reason, len(rs.buf)
	rs.phase = phasePass
	err := rs.send(0, len(rs.buf)+len(p), p)
	rs.buf = rs.buf[:0]
	return rs.result(p, err)
}

// send writes bytes [from, to) of the pending bytes, buf followed by p.
func (rs *response) send(from, to int, p []byte) error {
	bl := len(rs.buf)
	if from < bl {
		if _, err := rs.w.Write(rs.buf[from:min(to, bl)]); err != nil {
			return err
		}
	}
	if to > bl {
		if _, err := rs.w.Write(p[max(from, bl)-bl : to-bl]); err != nil {
			return err
		}
	}
	return nil
}

// fail records a write error met while rewriting: later writes get it too,
// as they would from net/http once the connection is gone.
func (rs *response) fail(err error) error {
	if err != nil && rs.err == nil {
		rs.err = err
	}
	return err
}

func (rs *response) result(p []byte, err error) (int, error) {
	if err != nil {
		return 0, rs.fail(err)
	}
	return len(p), nil
}

// commit sends the status and headers, in form, unless they went already.
func (rs *response) commit(form headerForm) {
	if rs.headersSent {
		return
	}
	rs.headersSent = true
	if rs.dec != nil {
		form = rs.dec.committing(rs.w.Header(), form)
	}
	rs.commitFor(form)
	if form == formOriginal && rs.personal {
		// The body goes out unchanged, but a cookie made for this visitor
		// rides on it: no shared cache may keep it.
		privateCaching(rs.w.Header(), rs.vals)
		rs.private = true
	}
	if form != formOriginal {
		rs.private = true
		h := rs.w.Header()
		privatize(h, rs.insLen, form == formInjected, rs.vals)
		if rs.csp.enforce != nil {
			h["Content-Security-Policy"] = rs.csp.enforce
		}
		if rs.csp.report != nil {
			h["Content-Security-Policy-Report-Only"] = rs.csp.report
		}
	}
	rs.w.WriteHeader(rs.status)
}

// flush sends what can be sent and flushes the underlying writer.
func (rs *response) flush() error {
	switch rs.phase {
	case phaseHijacked:
		return http.ErrHijacked
	case phaseUndecided:
		// As with net/http, a flush commits the response, with 200 if no
		// status was set; the type is sniffed from what was written so far.
		if rs.status == 0 {
			rs.status = http.StatusOK
		}
		if _, err := rs.decide(nil, atFlush); err != nil {
			return err
		}
	}
	if rs.phase == phaseScan {
		rs.commit(formMayInject)
		if err := rs.sendToHold(nil); err != nil {
			return err
		}
	}
	return http.NewResponseController(rs.w).Flush()
}

// finish completes a response whose handler returned normally.
func (rs *response) finish() {
	if rs.dec != nil {
		rs.endDecoding()
	}
	if rs.phase == phaseUndecided {
		if rs.status == 0 {
			// Nothing at all was written: leave the underlying writer
			// untouched, as if there were no wrapper; net/http sends 200.
			rs.status = http.StatusOK
			rs.out.Reason = rs.classifyEmpty()
			rs.out.Status = rs.status
			rs.phase = phasePass
			return
		}
		_, _ = rs.decide(nil, atEnd)
	}
	if rs.phase == phaseScan {
		if at := rs.scan.atEOF(); at >= 0 {
			// The insertion point waited for the end of the stream (see
			// scanner.atEOF): insert into what is held.
			_, _ = rs.insert(at, nil)
		} else if rs.scan.declined {
			_, _ = rs.passOn(rs.scan.why, nil)
		}
	}
	if rs.phase == phaseScan {
		// The stream ended without the marker: what is held goes out as it
		// is, with the original headers if they are still held.
		rs.out.Reason, rs.out.Held = NoMarker, len(rs.buf)
		rs.commit(formOriginal)
		if len(rs.buf) > 0 && rs.err == nil {
			_, _ = rs.w.Write(rs.buf)
		}
		rs.buf = rs.buf[:0]
		rs.phase = phasePass
	}
	if rs.dec != nil {
		rs.closeDecoding()
	}
	if rs.phase != phaseHijacked {
		rs.out.Status = rs.status
	}
	if rs.private {
		dropCacheTrailers(rs.w.Header())
	}
}

// abort records a panic in the handler. Nothing more is sent: a response
// whose headers are still held stays unsent, so net/http can answer it.
func (rs *response) abort() {
	if rs.dec != nil {
		rs.dropDecoding()
	}
	rs.out.Reason = Aborted
	rs.out.Status = 0
	if rs.headersSent {
		rs.out.Status = rs.status
	}
	rs.buf = rs.buf[:0]
	rs.phase = phasePass
}

// hijack sends what is held, then hands over the connection.
func (rs *response) hijack() (net.Conn, *bufio.ReadWriter, error) {
	if rs.phase == phaseHijacked {
		return nil, nil, http.ErrHijacked
	}
	if rs.dec != nil {
		rs.leaveDecoding()
	}
	if rs.status != 0 && rs.phase != phasePass {
		// net/http flushes a begun response before a hijack; do the same
		// with what is held, unchanged, and stop looking.
		rs.commit(formOriginal)
		if len(rs.buf) > 0 {
			_, _ = rs.w.Write(rs.buf)
			rs.buf = rs.buf[:0]
		}
		rs.out.Reason, rs.phase = GaveUp, phasePass
	}
	conn, brw, err := http.NewResponseController(rs.w).Hijack()
	if err != nil {
		return nil, nil, err
	}
	rs.out.Reason, rs.out.Status = Hijacked, 0
	if rs.headersSent {
		rs.out.Status = rs.status
	}
	rs.phase = phaseHijacked
	return conn, brw, nil
}

// readFrom copies src through the rewriter until the response passes
// through, then hands the rest to the underlying writer.
func (rs *response) readFrom(src io.Reader) (int64, error) {
	var n int64
	if rs.phase == phaseUndecided {
		if rs.status == 0 {
			rs.status = http.StatusOK
		}
		if _, sniff := rs.classify(); !sniff {
			// Decided without reading: a non-HTML file goes out by
			// sendfile with no copy at all.
			if _, err := rs.decide(nil, atWrite); err != nil {
				return 0, err
			}
		}
	}
	for rs.phase == phaseUndecided || rs.phase == phaseScan || rs.dec != nil {
		if rs.scratch == nil {
			rs.scratch = make([]byte, 4<<10)
		}
		chunk := rs.scratch
		if rs.phase == phaseUndecided {
			// Only what the sniff needs, so the rest can take the
			// underlying ReadFrom if the response is not HTML.
			chunk = chunk[:max(1, sniffLen-len(rs.buf))]
		}
		m, err := src.Read(chunk)
		if m > 0 {
			if _, werr := rs.write(chunk[:m]); werr != nil {
				return n, werr
			}
			n += int64(m)
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	if rs.phase == phaseHijacked {
		return n, http.ErrHijacked
	}
	m, err := readFromUnder(rs.w, src)
	return n + m, err
}

// readFromUnder copies src to w with w's own ReadFrom when it has one.
func readFromUnder(w http.ResponseWriter, src io.Reader) (int64, error) {
	if rf, ok := w.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(writerOnly{w}, src)
}

// writerOnly hides every method but Write, so io.Copy cannot call back
// into a ReadFrom.
type writerOnly struct{ io.Writer }
