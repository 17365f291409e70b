package ginmw

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
)

// responseWriter is the gin.ResponseWriter that the handlers after
// Middleware see. It writes to the http.ResponseWriter chatident hands on and
// keeps Gin's rules: a status set with WriteHeader is held until the first
// Write (so headers can still be set after c.Status), Size is -1 until
// the header is written, and Written reports whether it has been.
type responseWriter struct {
	w      http.ResponseWriter
	ctx    context.Context // the request's, for CloseNotify
	status int
	size   int // bytes written by the application; -1 before the header

	closed    chan bool
	stopClose func() bool
}

const notWritten = -1

var (
	_ gin.ResponseWriter = (*responseWriter)(nil)
	_ io.ReaderFrom      = (*responseWriter)(nil)
)

func newResponseWriter(ctx context.Context, w http.ResponseWriter, status int) *responseWriter {
	return &responseWriter{w: w, ctx: ctx, status: status, size: notWritten}
}

// errHijackAfterBody matches Gin's rule: hijacking is allowed before the
// body, not after.
var errHijackAfterBody = errors.New("ginmw: response body already written")

func (w *responseWriter) Header() http.Header { return w.w.Header() }

// WriteHeader records code as the status to send with the first Write.
func (w *responseWriter) WriteHeader(code int) {
	if code <= 0 || w.Written() {
		return
	}
	w.status = code
}

func (w *responseWriter) WriteHeaderNow() {
	if !w.Written() {
		w.size = 0
		w.w.WriteHeader(w.status)
	}
}

func (w *responseWriter) Write(b []byte) (int, error) {
	w.WriteHeaderNow()
	n, err := w.w.Write(b)
	w.size += n
	return n, err
}

func (w *responseWriter) WriteString(s string) (int, error) {
	w.WriteHeaderNow()
	n, err := io.WriteString(w.w, s)
	w.size += n
	return n, err
}

// ReadFrom keeps io.Copy (c.File, http.ServeContent) on the underlying
// writer's ReadFrom, and so on sendfile for responses chatident leaves alone.
func (w *responseWriter) ReadFrom(r io.Reader) (int64, error) {
	w.WriteHeaderNow()
	var n int64
	var err error
	if rf, ok := w.w.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(writerOnly{w.w}, r)
	}
	w.size += int(n)
	return n, err
}

// writerOnly hides every method but Write, so io.Copy cannot loop back
// into ReadFrom.
type writerOnly struct{ io.Writer }

func (w *responseWriter) Status() int   { return w.status }
func (w *responseWriter) Size() int     { return w.size }
func (w *responseWriter) Written() bool { return w.size != notWritten }

// Flush sends the header if needed and flushes whatever chatident holds.
func (w *responseWriter) Flush() {
	w.WriteHeaderNow()
	// A writer that cannot flush has nothing held to push out; Gin's own
	// writer ignores that case too.
	_ = http.NewResponseController(w.w).Flush()
}

// Hijack takes over the connection, as Gin allows before any body bytes.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.size > 0 {
		return nil, nil, errHijackAfterBody
	}
	if w.size < 0 {
		w.size = 0
	}
	return http.NewResponseController(w.w).Hijack()
}

// CloseNotify reports the end of the request, which net/http signals by
// cancelling its context when the client goes away. It serves c.Stream.
func (w *responseWriter) CloseNotify() <-chan bool {
	if w.closed == nil {
		ch := make(chan bool, 1)
		w.closed = ch
		w.stopClose = context.AfterFunc(w.ctx, func() { ch <- true })
	}
	return w.closed
}

// Pusher returns the first http.Pusher in the writer chain, or nil. A push
// promise carries no body bytes, so it may skip the rewriter.
func (w *responseWriter) Pusher() http.Pusher {
	var rw = w.w
	for rw != nil {
		if p, ok := rw.(http.Pusher); ok {
			return p
		}
		u, ok := rw.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		rw = u.Unwrap()
	}
	return nil
}

// Unwrap lets http.ResponseController reach the writers underneath
// (deadlines, full duplex).
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.w }

// release drops the CloseNotify hook once the chain is done.
func (w *responseWriter) release() {
	if w.stopClose != nil {
		w.stopClose()
	}
}
