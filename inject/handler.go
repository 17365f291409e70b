package inject

import (
	"net/http"
	"sync/atomic"
)

// Handler returns next wrapped so that, for each eligible HTML response, the
// JavaScript returned by script(r) is inserted once as <script>…</script> at
// the configured placement (see At), every other byte passing through
// unchanged. Where the page's markup leaves it unsure that a browser would
// see the insertion as an HTML <script> element (see Placement), nothing is
// inserted and the page passes unchanged, reported as Ambiguous. script returning nil or empty means: no insertion for this
// request.
//
// # Which responses
//
// The decision is made once, at the first body write (or at a flush or the
// handler's return if it writes nothing). A response is eligible when the
// request is a document navigation (see Documents and DocumentNavigation:
// an htmx partial, a Turbo frame or a fetch() is not, and passes as
// Fragment) and its final status passes Statuses (by default 2xx except 204
// and 206), it has no Content-Encoding or one a registered Codec
// decodes (see below), and its Content-Type is text/html or
// application/xhtml+xml, whose charset (if any) is ASCII-compatible and whose
// body does not start with a UTF-16 byte order mark (else Charset: the
// ASCII element would not read as itself; see the README for the labels).
// When the application sets no Content-Type, it is
// sniffed with http.DetectContentType exactly as net/http would and set
// explicitly. Every other response passes through untouched, without a copy;
// its io.ReaderFrom (sendfile) path is kept. Informational 1xx responses such
// as 103 Early Hints go out at once.
//
// A HEAD request gets the header decisions of the GET it mirrors: when that
// GET would be eligible, its headers are made private as below (reported as
// Method), with Content-Length removed, since the inserted length is not
// known without the script, and Content-Security-Policy left as it is, since
// the nonce or hash is not either. The script function is not called (no
// signing, and a sign-out reset waits for the next page), and body bytes the
// handler writes are dropped before net/http could count them. A HEAD
// handler that writes no body and sets no Content-Type cannot be told from
// an empty response, so it passes untouched (NotHTML).
//
// The status is held until the decision, and Header returns the underlying
// header map, so header changes made after WriteHeader but before the first
// body byte still count (plain net/http would ignore them).
//
// script is called lazily, at most once per response, and only for eligible
// responses whose headers are still held: assets and API responses never pay
// for it. A script containing "</script" or "<!--" (any case) is not
// inserted (BadScript).
//
// # Headers of a response that gets the script
//
// A per-visitor page must not be stored by shared caches nor validated
// against a validator shared by all visitors, so, when the script is
// inserted or may still be:
//
//   - Content-Length grows by the inserted length when the marker was found
//     while the headers were held, and is removed when they had to be sent
//     first (the body then streams without a length);
//   - ETag and Last-Modified are removed (a weak or strong validator of the
//     application's page says nothing about this visitor's copy), and
//     Accept-Ranges too;
//   - Cache-Control gets private and loses public and s-maxage (no-store,
//     no-cache, max-age and the rest stay); it is set to private when absent.
//     Every field a CDN or caching proxy would take over it is removed:
//     CDN-Cache-Control, any RFC 9213 targeted *-CDN-Cache-Control and any
//     other *-Cache-Control, Surrogate-Control, Edge-Control and
//     X-Accel-Expires;
//   - Vary gains Cookie (Vary: * is left alone);
//   - Content-Security-Policy and Content-Security-Policy-Report-Only are
//     honoured: the element carries the policy's nonce if it has one, and a
//     policy that would still refuse the element gets a 'sha256-…' source for
//     exactly this script; nothing is ever loosened otherwise, and a policy
//     whose script directive is 'none' (or empty) means no insertion
//     (CSPBlocks), in a Report-Only policy too, since its hash would loosen
//     the policy being tried out. A policy given in the page by
//     <meta http-equiv> is not seen.
//
// Header names are case-insensitive, and net/http sends a key written into
// the map directly ("cache-control") as it is, next to the canonical one: so
// every spelling of each header read or rewritten here (Content-Type,
// Content-Encoding, Transfer-Encoding, Content-Length, Set-Cookie, the CSP
// headers, the validators, Accept-Ranges and the cache fields above) is
// first moved to its canonical key, values kept in the order net/http
// would send them. A Content-Type given several times, or with a comma, is
// HTML only when every value is.
//
// A response whose stream ends without the marker while its headers are
// still held goes out as the application made it, with one exception: if
// script added a Set-Cookie to the held headers (chatident's middleware sets
// its sign-out marker that way), the response carries something made for
// one visitor, so it still gets private Cache-Control and Vary: Cookie; its
// body, length and validators stay untouched.
//
// # Compressed responses
//
// With codecs registered (Codecs; the middleware registers gzip, deflate, br
// and zstd from package inject/codecs), an eligible page whose one
// Content-Encoding is a registered token is decoded as it streams, the
// script inserted as in any page, and the result encoded again in the same
// coding. Only pages that get a script are decoded: other responses, and
// pages whose script function returns nothing, pass through coded as they
// are. A decoded page never has a Content-Length (the coded length is not
// known in advance), and a Flush from the application sends all the
// decoder could produce from the bytes written so far and flushes the
// encoder. A decoded page that ends without the marker while its headers are
// still held goes out exactly as the application made it, coded bytes and
// headers included.
//
// A response whose coding is not registered, is several codings stacked, or
// comes while decoding is off passes through untouched (Encoded), and so
// does one with no Content-Type; the first such page is logged (see
// Logger) with the fix: compress outside, compress(inject(app)). A coded
// body that does not decode (Corrupt) goes out as the application made it
// if nothing was sent yet; otherwise the response is cut off (the coded
// stream is left unterminated, so no client takes it for complete) and the
// application's further writes fail.
//
// # Streaming and memory
//
// At most MaxHeld body bytes are held per response, in a pooled buffer; the
// rest streams. A decoded page holds as many coded bytes more, and the
// codec's state (its window: 32 KiB for gzip and deflate, at most 8 MiB for
// zstd and 16 MiB for br, as the application's encoder chose). A Flush from the application (http.Flusher or
// http.ResponseController) sends everything that can be sent and flushes, so
// a page that flushes its head early keeps its time to first byte. Hijack,
// Push and http.ResponseController's deadlines (through Unwrap) work as
// with the underlying writer.
//
// # Failures
//
// If the handler panics, nothing more is sent (a response whose headers
// were still held stays unsent, so net/http can answer it) and the panic
// goes on with its own value, reported as Aborted. Using the ResponseWriter
// after the handler returned is not supported, as with net/http: it gets an
// error and can never reach another response's buffer.
//
// Handler panics if next or script is nil or if an option is invalid, so
// that a mistake shows at start-up.
func Handler(next http.Handler, script func(*http.Request) []byte, opts ...Option) http.Handler {
	if next == nil {
		panic("inject: Handler: next is nil")
	}
	if script == nil {
		panic("inject: Handler: script is nil")
	}
	return HandlerFor(next, funcOpener(script), opts...)
}

// handler is what Handler returns.
type handler struct {
	next   http.Handler
	open   func(http.ResponseWriter, *http.Request) Response
	cfg    config
	bufCap int // capacity of each response's held-bytes buffer
	pool   responsePool
	safe   atomic.Pointer[[]byte] // the last Insertion.Code that passed the safety check

	warnedEncoded, warnedCorrupt onceFlag // see warnOnce
}

// ServeHTTP serves one request through a fresh writer backed by pooled
// state, and reports one Outcome once the handler has returned.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	resp := h.open(w, r)
	rs := h.pool.get()
	rs.start(h, w, r)
	rs.resp = resp
	ww := &writer{rs: rs, w: w}
	rs.vals = &ww.vals
	returned := false
	defer func() {
		// Runs on return and while a panic unwinds; a panic is not
		// recovered, so it goes on with its own value and stack.
		out := ww.detach(!returned)
		h.pool.put(rs)
		if out.Reason == Encoded || out.Reason == Corrupt {
			h.warnOnce(w.Header(), out.Reason)
		}
		if resp != nil {
			resp.Done(out)
		}
		if h.cfg.observer != nil {
			h.cfg.observer(r, out)
		}
	}()
	h.next.ServeHTTP(ww, r)
	ww.finish()
	returned = true
}
