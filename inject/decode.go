package inject

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
)

// Decoding a compressed page as it streams.
//
// Decoders pull (io.Reader) while the application pushes (Write). The
// decoder runs in a coroutine made with iter.Pull: each Write hands its
// coded bytes to the feeder and resumes the coroutine, which decodes all it
// can and pushes the decoded bytes through the rewriter (scanWrite, or
// straight on once inserted) into the encoder; when the decoder asks for a
// byte the feeder does not have, the coroutine yields and Write returns.
// Only one side runs at a time, so:
//
//   - the rewriter's state needs no lock and sees the same calls as for an
//     uncompressed page, only with decoded bytes;
//   - when Write returns, everything its bytes let the decoder produce has
//     gone through the rewriter, so a Flush after it sends all of it, and
//     then flushes the encoder;
//   - memory per response is the codec's state plus two fixed buffers (the
//     decoded chunk and, while nothing was sent, the coded bytes), whatever
//     the size of the page.
//
// The alternatives are worse: a goroutine fed through an io.Pipe runs the
// decoder concurrently with the application's next call and needs a
// handshake to learn that the decoder is starved, which is what the
// coroutine switch is, without a trip through the scheduler; and the
// decoders cannot be resumed after returning a "need more input" error, so
// there is no way to decode "what is available" without one of the two.
//
// The coroutine's life is bounded by the response: it ends when the coded
// stream does, at the end of the response (the feeder then reports EOF), or
// when stopped (abort, hijack, a corrupt stream), and every way out of a
// response stops it.

// decodedChunk is the size of the buffer decoded bytes are read into.
const decodedChunk = 8 << 10

// maxEmptyReads bounds the decoder reads in a row that return neither bytes
// nor an error, so that a decoder that makes no progress cannot hang the
// response.
const maxEmptyReads = 100

// errStopped is what the feeder returns to a decoder whose coroutine is
// being stopped; the decoder's error is then dropped.
var errStopped = errors.New("inject: decoding stopped")

// errDeclined stops the decoder of a page that turned out not to be one to
// insert into (see decoding.decline).
var errDeclined = errors.New("inject: the decoded page is not one to insert into")

// errTrailing reports coded bytes after the end of the coded stream.
var errTrailing = errors.New("data after the end of the compressed stream")

// decoding is the state of one response being decoded, kept in the pooled
// response; its buffers are reused.
type decoding struct {
	codec Codec
	in    feeder
	next  func() (struct{}, bool) // nil once the coroutine has ended
	stop  func()
	out   []byte // the decoded chunk, decodedChunk bytes
	// raw holds every coded byte received while the headers are held (but
	// those of the write in progress), so that a stream that ends without
	// the marker, or turns out corrupt, can go out exactly as the
	// application made it.
	raw      []byte
	received int64   // coded bytes received
	enc      Encoder // made on the first byte to encode
	encw     encodingWriter
	under    http.ResponseWriter
	ended    bool  // the decoder reached the end of the coded stream
	err      error // the decoder's error: the stream is corrupt
	aborted  bool  // a corrupt stream cut the response off
	// decline, when set, is why the decoded page turned out not to be one
	// to insert into while the headers were held: it goes out as the
	// application made it, with this reason.
	decline Reason
	// first holds the first decoded byte while it could begin a UTF-16
	// byte order mark; bomChecked is set once the first two are known.
	first      [1]byte
	held1      bool
	bomChecked bool
}

// feeder is the decoder's source: the bytes of the application's current
// Write, then a yield to wait for the next one.
type feeder struct {
	data    []byte
	eof     bool // the response ended: no more bytes will come
	stopped bool
	yield   func(struct{}) bool
}

// Read gives the decoder what the current Write brought, or suspends the
// coroutine until the next Write (or the end) when there is nothing left.
func (f *feeder) Read(p []byte) (int, error) {
	for len(f.data) == 0 {
		if f.eof {
			return 0, io.EOF
		}
		if f.stopped || !f.yield(struct{}{}) {
			f.stopped = true
			return 0, errStopped
		}
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// encodingWriter is what the rewriter writes to while decoding: the
// underlying writer, with the body going through the encoder and Flush
// flushing the encoder first.
type encodingWriter struct {
	http.ResponseWriter
	d *decoding
}

// Write encodes p, making the encoder on first use.
func (e *encodingWriter) Write(p []byte) (int, error) {
	if e.d.enc == nil {
		e.d.enc = e.d.codec.NewWriter(e.ResponseWriter)
	}
	return e.d.enc.Write(p)
}

// FlushError flushes the encoder, then the underlying writer.
func (e *encodingWriter) FlushError() error {
	if e.d.enc != nil && !e.d.aborted {
		if err := e.d.enc.Flush(); err != nil {
			return err
		}
	}
	return http.NewResponseController(e.ResponseWriter).Flush()
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (e *encodingWriter) Unwrap() http.ResponseWriter { return e.ResponseWriter }

// startDecoding sets the response up to be decoded with rs.codec, then
// takes p, the first coded bytes, if any. The rewriter is in phaseScan.
func (rs *response) startDecoding(p []byte) (int, error) {
	d := &rs.decState
	d.codec, d.under = rs.codec, rs.w
	d.encw = encodingWriter{ResponseWriter: rs.w, d: d}
	rs.w = &d.encw
	rs.dec = d
	if d.out == nil {
		d.out = make([]byte, decodedChunk)
	}
	d.next, d.stop = iter.Pull(rs.pump)
	if len(p) == 0 {
		return 0, nil
	}
	return rs.decodeWrite(p)
}

// pump is the coroutine: it decodes until the stream ends, fails or is
// stopped, pushing the decoded bytes through the rewriter.
func (rs *response) pump(yield func(struct{}) bool) {
	d := rs.dec
	d.in.yield = yield
	r, err := d.codec.NewReader(&d.in)
	if err != nil {
		if !d.in.stopped {
			d.err = err
		}
		return
	}
	defer r.Close()
	for empty := 0; ; {
		n, err := r.Read(d.out)
		if d.in.stopped {
			return
		}
		if n > 0 {
			empty = 0
			if rs.decoded(d.out[:n]) != nil {
				return // a write error, recorded in rs.err, or declined
			}
		} else if err == nil {
			if empty++; empty > maxEmptyReads {
				err = io.ErrNoProgress
			}
		}
		switch {
		case err == io.EOF:
			d.ended = true
			return
		case err != nil:
			d.err = err
			return
		}
	}
}

// decoded takes decoded bytes as write takes an uncompressed page's. As
// for an uncompressed page, a UTF-16 byte order mark at the start means no
// insertion (Charset): the check decide makes on the first bytes is made
// here on the first decoded ones.
func (rs *response) decoded(p []byte) error {
	d := rs.dec
	if !d.bomChecked && rs.phase == phaseScan {
		if !d.held1 && len(p) == 1 && (p[0] == 0xFE || p[0] == 0xFF) {
			d.first[0], d.held1 = p[0], true // wait for the second byte
			return nil
		}
		held := d.held1
		d.bomChecked, d.held1 = true, false
		var two [2]byte
		n := 0
		if held {
			two[0], n = d.first[0], 1
		}
		copy(two[n:], p)
		switch bom := utf16BOM(two[:]); {
		case bom && !rs.headersSent:
			d.decline = Charset
			return errDeclined
		case bom:
			// The headers went out before any byte (a flush): the page
			// goes on re-encoded, without the script.
			rs.out.Reason, rs.phase = Charset, phasePass
			if held {
				if _, err := rs.w.Write(d.first[:1]); err != nil {
					return rs.fail(err)
				}
			}
		case held:
			if _, err := rs.scanWrite(d.first[:1]); err != nil {
				return err
			}
		}
	}
	if rs.phase == phaseScan {
		_, err := rs.scanWrite(p)
		return err
	}
	_, err := rs.w.Write(p)
	return rs.fail(err)
}

// resume runs the coroutine until it needs more input or ends.
func (d *decoding) resume() {
	if d.next == nil {
		return
	}
	if _, ok := d.next(); !ok {
		d.next = nil
	}
}

// decodeWrite takes coded bytes from the application.
func (rs *response) decodeWrite(p []byte) (int, error) {
	d := rs.dec
	if rs.err != nil {
		return 0, rs.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	rs.wrote = true
	d.received += int64(len(p))
	if d.ended || d.next == nil {
		return rs.corrupt(p, errTrailing)
	}
	d.in.data = p
	d.resume()
	trailing := len(d.in.data) > 0
	d.in.data = nil
	switch {
	case d.err != nil:
		return rs.corrupt(p, d.err)
	case d.decline != "":
		return rs.passRaw(p, d.decline)
	case rs.err != nil:
		return 0, rs.err
	case trailing:
		return rs.corrupt(p, errTrailing)
	}
	if !rs.headersSent {
		// Keep the coded bytes while the headers are held (p is the
		// application's until this call returns); as many may be kept as
		// decoded ones: past that, the headers go in the form that allows
		// a later insertion, and the coded bytes are no longer needed.
		if len(d.raw)+len(p) > rs.h.cfg.maxHeld {
			rs.commit(formMayInject)
		} else {
			if d.raw == nil {
				d.raw = make([]byte, 0, rs.h.cfg.maxHeld)
			}
			d.raw = append(d.raw, p...)
		}
	}
	return len(p), nil
}

// corrupt handles a coded stream that does not decode: if nothing was sent
// yet, everything goes out as the application made it; otherwise the
// response is cut off (the encoder is never closed, so the client cannot
// take it for complete) and the application's writes fail from then on.
func (rs *response) corrupt(p []byte, cause error) (int, error) {
	d := rs.dec
	if !rs.headersSent {
		return rs.passRaw(p, Corrupt)
	}
	d.stop()
	d.next = nil
	rs.out.Reason = Corrupt
	d.aborted = true
	rs.phase = phasePass
	rs.buf = rs.buf[:0]
	return 0, rs.fail(fmt.Errorf("inject: the %s-coded body does not decode: %w", d.codec.Encoding(), cause))
}

// passRaw ends decoding while the headers are held: everything received
// (the coded bytes kept, then p, the current write's) goes out as the
// application made it, and so does the rest.
func (rs *response) passRaw(p []byte, reason Reason) (int, error) {
	raw := rs.dec.raw
	rs.dropDecoding()
	rs.out.Reason = reason
	rs.buf = rs.buf[:0]
	rs.phase = phasePass
	rs.commit(formOriginal)
	for _, b := range [2][]byte{raw, p} {
		if len(b) > 0 {
			if _, err := rs.w.Write(b); err != nil {
				return 0, rs.fail(err)
			}
		}
	}
	return len(p), nil
}

// endDecoding runs the decoder to the end of the response and, when the
// page ended without the marker while the headers were still held, sends
// the coded bytes as the application made them.
func (rs *response) endDecoding() {
	d := rs.dec
	if d.aborted {
		return
	}
	if d.received > 0 && !d.ended {
		d.in.eof = true
		d.resume()
		d.in.eof = false
		if d.err == nil && d.decline == "" && !d.ended && rs.err == nil {
			d.err = io.ErrUnexpectedEOF // cannot happen: the decoder ignored EOF
		}
		switch {
		case d.err != nil:
			_, _ = rs.corrupt(nil, d.err)
			return
		case d.decline != "":
			_, _ = rs.passRaw(nil, d.decline)
			return
		}
	}
	if d.held1 && rs.err == nil {
		// The page is one byte long: it was no byte order mark.
		d.held1, d.bomChecked = false, true
		if err := rs.decoded(d.first[:1]); err != nil {
			return
		}
	}
	if rs.phase == phaseScan {
		if at := rs.scan.atEOF(); at >= 0 {
			_, _ = rs.insert(at, nil) // the insertion point waited for the end
		}
	}
	if rs.phase == phaseScan && !rs.headersSent {
		raw := d.raw
		rs.dropDecoding()
		rs.out.Reason, rs.out.Held = NoMarker, len(rs.buf)
		if rs.scan.declined {
			rs.out.Reason = rs.scan.why
		}
		rs.commit(formOriginal)
		if len(raw) > 0 && rs.err == nil {
			_, _ = rs.w.Write(raw)
		}
		rs.buf = rs.buf[:0]
		rs.phase = phasePass
	}
}

// closeDecoding ends the coded stream of a finished response and releases
// the decoding state.
func (rs *response) closeDecoding() {
	d := rs.dec
	if !d.aborted && d.received > 0 && rs.err == nil {
		if d.enc == nil {
			d.enc = d.codec.NewWriter(d.under)
		}
		err := d.enc.Close()
		d.enc = nil
		_ = rs.fail(err)
	}
	rs.dropDecoding()
}

// leaveDecoding stops decoding before a hijack: what is held goes out as
// the application made it if nothing was sent yet.
func (rs *response) leaveDecoding() {
	d := rs.dec
	if rs.headersSent {
		rs.dropDecoding()
		return
	}
	raw := d.raw
	rs.dropDecoding()
	rs.commit(formOriginal)
	if len(raw) > 0 {
		_, _ = rs.w.Write(raw)
	}
	rs.buf = rs.buf[:0]
	rs.out.Reason, rs.phase = GaveUp, phasePass
}

// committing adjusts the header form of a decoded response, whose length is
// never known in advance: it is re-encoded.
func (d *decoding) committing(h http.Header, form headerForm) headerForm {
	d.raw = d.raw[:0]
	switch form {
	case formInjected:
		return formMayInject
	case formOriginal:
		delete(h, "Content-Length")
	}
	return form
}

// dropDecoding stops the coroutine, puts the underlying writer back and
// clears the decoding state for reuse.
func (rs *response) dropDecoding() {
	d := rs.dec
	if d.stop != nil {
		d.stop()
	}
	rs.w = d.under
	rs.dec = nil
	out, raw := d.out, d.raw
	if cap(raw) > rs.h.cfg.maxHeld {
		raw = nil
	}
	*d = decoding{out: out, raw: raw[:0]}
}
