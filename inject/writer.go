package inject

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
)

// errDetached is returned by a writer used after its handler returned.
var errDetached = errors.New("inject: ResponseWriter used after the handler returned")

// writer is the http.ResponseWriter the application's handler sees.
//
// It is allocated per response and never reused. The heavy state (buffer,
// scanner) lives in a pooled *response that the writer points to until the
// handler returns; then the pointer is cleared under mu and the state goes
// back to the pool. Using a ResponseWriter after the handler returned is not
// supported by net/http; here such a call finds no state and returns
// errDetached (Write, ReadFrom, FlushError, Hijack) or does nothing
// (WriteHeader, Flush), so a goroutine the application leaked can never
// write into the buffer of a later response.
//
// Every call that can write takes mu, also once the response passes
// through, so that detach waits for a call in flight: past detach nothing
// reaches the underlying writer either. net/http recycles its response's
// buffer for another connection once the handler returns, so a late call
// that got there unlocked could land in a stranger's response.
type writer struct {
	mu sync.Mutex
	rs *response           // nil once detached
	w  http.ResponseWriter // the underlying writer, for Header and Unwrap
	// vals holds the Cache-Control and Vary values privatize sets. They
	// live here, in memory of this response only, since the header map
	// may outlive the pooled state.
	vals [2]string
}

var (
	_ http.ResponseWriter = (*writer)(nil)
	_ http.Flusher        = (*writer)(nil)
	_ http.Hijacker       = (*writer)(nil)
	_ http.Pusher         = (*writer)(nil)
	_ io.ReaderFrom       = (*writer)(nil)
)

// Header returns the underlying writer's header map: until the response is
// committed, the application's changes to it take effect (net/http instead
// ignores changes made after WriteHeader).
func (ww *writer) Header() http.Header { return ww.w.Header() }

// WriteHeader records the final status and holds it until the response is
// committed. 1xx informational statuses (103 Early Hints) go out at once; a
// second final status is ignored, as net/http does.
func (ww *writer) WriteHeader(code int) {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	if ww.rs != nil {
		ww.rs.writeHeader(code)
	}
}

// Write passes body bytes on, holding back only what is needed to find the
// insertion point.
func (ww *writer) Write(p []byte) (int, error) {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	if ww.rs == nil {
		return 0, errDetached
	}
	return ww.rs.write(p)
}

// ReadFrom copies src to the response. Once the response is known to pass
// through unchanged, the rest is handed to the underlying writer's ReadFrom
// (sendfile for net/http).
func (ww *writer) ReadFrom(src io.Reader) (int64, error) {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	if ww.rs == nil {
		return 0, errDetached
	}
	return ww.rs.readFrom(src)
}

// Flush sends everything that can be sent (the headers, and the body up to
// the point where the marker could still begin), then flushes the
// underlying writer.
func (ww *writer) Flush() { _ = ww.FlushError() }

// FlushError is Flush reporting the underlying writer's error; it is what
// http.ResponseController.Flush calls. It returns http.ErrNotSupported
// when the underlying writer cannot flush (the bytes are still sent).
func (ww *writer) FlushError() error {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	if ww.rs == nil {
		return errDetached
	}
	return ww.rs.flush()
}

// Hijack hands the connection to the application, as the underlying writer
// does; bytes the rewriter still held are sent first, as net/http sends a
// response that was already begun. It returns http.ErrNotSupported when the
// underlying writer cannot hijack.
func (ww *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	if ww.rs == nil {
		return nil, nil, errDetached
	}
	return ww.rs.hijack()
}

// Push initiates an HTTP/2 server push through the underlying writer, or
// returns http.ErrNotSupported.
func (ww *writer) Push(target string, opts *http.PushOptions) error {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	if ww.rs == nil {
		return errDetached
	}
	if p, ok := ww.w.(http.Pusher); ok {
		return p.Push(target, opts)
	}
	return http.ErrNotSupported
}

// Unwrap returns the underlying writer, so that http.ResponseController
// reaches its SetReadDeadline, SetWriteDeadline and EnableFullDuplex. Bytes
// written to it directly bypass the rewriter.
func (ww *writer) Unwrap() http.ResponseWriter { return ww.w }

// finish completes the response after the handler returned normally.
func (ww *writer) finish() {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	ww.rs.finish()
}

// detach cuts the writer from its state and returns the outcome. When
// aborted (the handler panicked), nothing more is sent.
func (ww *writer) detach(aborted bool) Outcome {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	rs := ww.rs
	ww.rs = nil
	if aborted {
		rs.abort()
	}
	return rs.out
}
