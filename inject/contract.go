package inject

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/chatident/chatident/internal/scriptsafe"
)

// Response is the caller's side of one response through HandlerFor: the
// explicit contract between the rewriter and whatever builds the script (in
// chatident, package middleware). HandlerFor asks for it when the request
// arrives and then tells it, in this order and each at most once:
//
//   - Script, when the response has turned out eligible and its headers are
//     still held;
//   - Commit, just before the status and headers are sent, if Script was
//     called: whether the body carries the script;
//   - Done, after the handler has returned (or panicked), always: the
//     outcome.
//
// The three calls happen on the goroutine that writes the response, never
// concurrently, and nothing is called after Done, so an implementation may
// return itself to a pool there.
type Response interface {
	// Script returns what to insert. An Insertion with empty Code means
	// nothing is inserted (NoScript). h is the held header map, to read;
	// changes that depend on whether the script is placed (a cookie that
	// records it) belong in Commit, which knows.
	Script(h http.Header) Insertion
	// Commit is called once the placement is as decided as it will be
	// before the headers go out, with the header map still held. It may add
	// headers that depend on c, and reports whether it added anything made
	// for one visitor (a Set-Cookie): then even a response that goes out
	// without the script gets private caching and Vary: Cookie.
	Commit(h http.Header, c Commit) (personal bool)
	// Done reports the outcome, once per response.
	Done(o Outcome)
}

// Insertion is what goes into the page: one element
//
//	<script nonce="…" data-chatident='Data'>Code</script>
//
// with the nonce only when the page's Content-Security-Policy has one and
// the attribute only when Data is not empty. Code must not contain
// "</script" or "<!--" (BadScript otherwise). Data is written as an
// attribute value: & and ' are escaped as character references, so any
// bytes are safe there; a script reads them back unchanged from its own
// element, found with Document.prototype's currentScript getter (markup
// named currentScript shadows document.currentScript itself).
//
// A hash that Handler adds to a Content-Security-Policy covers Code alone
// (the element's text), so a constant Code has a constant hash whatever
// Data holds. Code and Data must not change once Script has returned them.
type Insertion struct {
	Code []byte
	Data []byte
}

// DataAttribute is the attribute that carries Insertion.Data.
const DataAttribute = "data-chatident"

// Commit says, when the headers go out, whether the body carries the script.
type Commit uint8

const (
	// Without: the script will not be inserted (it was refused, the stream
	// ended without the marker, the handler hijacked the connection).
	Without Commit = iota
	// Inserted: the marker was found while the headers were held; the
	// script is in the body.
	Inserted
	// Maybe: the headers must go before the marker was found (the
	// application flushed, or MaxHeld bytes came first); the script may
	// still be inserted later, or not. Done tells which.
	Maybe
)

// String returns the constant's name.
func (c Commit) String() string {
	switch c {
	case Without:
		return "Without"
	case Inserted:
		return "Inserted"
	case Maybe:
		return "Maybe"
	}
	return fmt.Sprintf("Commit(%d)", int(c))
}

// HandlerFor is Handler with the per-response contract: open is called once
// per request, before next runs, and returns the Response that answers for
// it (nil: nothing is inserted into this response, which is still
// reported to an Observe option). Everything Handler documents about which
// responses are eligible, their headers, streaming and failures holds.
//
// HandlerFor panics if next or open is nil or an option is invalid; use
// CheckOptions to find an invalid option without a panic.
func HandlerFor(next http.Handler, open func(w http.ResponseWriter, r *http.Request) Response, opts ...Option) http.Handler {
	if next == nil {
		panic("inject: HandlerFor: next is nil")
	}
	if open == nil {
		panic("inject: HandlerFor: open is nil")
	}
	h := &handler{next: next, open: open, cfg: newConfig(opts)}
	h.bufCap = max(h.cfg.maxHeld, sniffLen)
	return h
}

// ResponseOf returns the Response that answers for the response w writes,
// when w is the ResponseWriter HandlerFor hands its handler or wraps it
// (through Unwrap methods, as http.ResponseController follows them), and
// the response is still being served; else nil. A caller uses it to see
// that another HandlerFor is already rewriting this response.
func ResponseOf(w http.ResponseWriter) Response {
	for i := 0; w != nil && i < 32; i++ { // a bound, in case of an Unwrap cycle
		if ww, ok := w.(*writer); ok {
			ww.mu.Lock()
			defer ww.mu.Unlock()
			if ww.rs == nil {
				return nil
			}
			return ww.rs.resp
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		w = u.Unwrap()
	}
	return nil
}

// CheckOptions reports an option Handler and HandlerFor would refuse (a
// Placement that is not one of the constants), so that a configuration can
// be checked without a panic.
func CheckOptions(opts ...Option) error {
	var c config
	c.placement = AfterHeadOpen
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	switch c.placement {
	case AfterHeadOpen, BeforeHeadClose, BeforeBodyClose:
		return nil
	}
	return fmt.Errorf("inject: At(%v): not a Placement constant", c.placement)
}

// funcResponse adapts Handler's script function to Response. It notes
// whether the function added a Set-Cookie to the held headers, the one way
// Handler's callers can mark a response as made for one visitor.
type funcResponse struct {
	script   func(*http.Request) []byte
	r        *http.Request
	pool     *sync.Pool
	personal bool
}

func (f *funcResponse) Script(h http.Header) Insertion {
	foldGoverned(h)
	n := len(h["Set-Cookie"])
	code := f.script(f.r)
	foldGoverned(h) // a cookie set in another spelling counts too
	f.personal = len(h["Set-Cookie"]) != n
	return Insertion{Code: code}
}

func (f *funcResponse) Commit(http.Header, Commit) bool { return f.personal }

func (f *funcResponse) Done(Outcome) {
	*f = funcResponse{script: f.script, pool: f.pool}
	f.pool.Put(f)
}

// funcOpener returns an open function for Handler's script function, with
// its adapters pooled.
func funcOpener(script func(*http.Request) []byte) func(http.ResponseWriter, *http.Request) Response {
	p := &sync.Pool{}
	p.New = func() any { return &funcResponse{script: script, pool: p} }
	return func(_ http.ResponseWriter, r *http.Request) Response {
		f := p.Get().(*funcResponse)
		f.r = r
		return f
	}
}

// prepare asks for the script and works out the element to insert.
func (rs *response) prepare() Reason {
	if rs.resp == nil {
		return NoScript
	}
	rs.asked = true
	h := rs.w.Header()
	ins := rs.resp.Script(h)
	foldGoverned(h) // a header (in any spelling) the caller added
	rs.script, rs.data = ins.Code, ins.Data
	if len(rs.script) == 0 {
		return NoScript
	}
	if !rs.h.safeCode(rs.script) {
		return BadScript
	}
	rs.csp = planCSP(h["Content-Security-Policy"], h["Content-Security-Policy-Report-Only"], rs.script)
	if rs.csp.blocks {
		return CSPBlocks
	}
	t := append(rs.tag[:0], "<script"...)
	if rs.csp.nonce != "" {
		// planCSP only returns a nonce of base64 characters, which cannot
		// end the attribute value.
		t = append(t, ` nonce="`...)
		t = append(t, rs.csp.nonce...)
		t = append(t, '"')
	}
	// tag is the start tag up to the data, then what follows the data
	// (nothing without data), then the end tag.
	if len(rs.data) > 0 {
		t = append(t, " "+DataAttribute+"='"...)
		rs.openLen = len(t)
		t = append(t, "'>"...)
	} else {
		t = append(t, '>')
		rs.openLen = len(t)
	}
	rs.midEnd = len(t)
	rs.tag = append(t, closeTag...)
	rs.insLen = len(rs.tag) + attrLen(rs.data) + len(rs.script)
	return ""
}

// safeCode is scriptsafe.BreaksOut negated, remembering the last code that
// passed: a caller that inserts the same constant code on every response
// (chatident's middleware does) has it checked once. The same backing
// array and length are the same bytes, as Insertion asks callers not to
// change Code once returned.
func (h *handler) safeCode(code []byte) bool {
	if last := h.safe.Load(); last != nil && len(*last) == len(code) && len(code) > 0 && &(*last)[0] == &code[0] {
		return true
	}
	if scriptsafe.BreaksOut(code) {
		return false
	}
	passed := code // declared here so that only a miss allocates
	h.safe.Store(&passed)
	return true
}

// commitFor tells the Response what the headers about to go out promise.
func (rs *response) commitFor(form headerForm) {
	if !rs.asked || rs.committed {
		return
	}
	rs.committed = true
	c := Without
	switch form {
	case formInjected:
		c = Inserted
	case formMayInject:
		c = Maybe
	}
	rs.personal = rs.resp.Commit(rs.w.Header(), c)
}

// writeElement writes the whole element.
func (rs *response) writeElement() error {
	if _, err := rs.w.Write(rs.tag[:rs.openLen]); err != nil {
		return err
	}
	if len(rs.data) > 0 {
		if err := writeAttr(rs.w, rs.data); err != nil {
			return err
		}
		if _, err := rs.w.Write(rs.tag[rs.openLen:rs.midEnd]); err != nil {
			return err
		}
	}
	if _, err := rs.w.Write(rs.script); err != nil {
		return err
	}
	_, err := rs.w.Write(rs.tag[rs.midEnd:])
	return err
}

// attrLen is the length of b written by writeAttr.
func attrLen(b []byte) int {
	return len(b) + bytes.Count(b, []byte("&"))*(len("&amp;")-1) + bytes.Count(b, []byte("'"))*(len("&#39;")-1)
}

// writeAttr writes b as the text of a single-quoted attribute value: runs
// without & or ' go out as they are, in one Write when there is none.
func writeAttr(w http.ResponseWriter, b []byte) error {
	for len(b) > 0 {
		// Found with memchr: data normally has neither character.
		i := bytes.IndexByte(b, '&')
		if j := bytes.IndexByte(b, '\''); j >= 0 && (i < 0 || j < i) {
			i = j
		}
		if i < 0 {
			i = len(b)
		}
		if i > 0 {
			if _, err := w.Write(b[:i]); err != nil {
				return err
			}
		}
		if i == len(b) {
			return nil
		}
		ref := "&amp;"
		if b[i] == '\'' {
			ref = "&#39;"
		}
		// Never reached with chatident's own data, whose encoder escapes
		// both characters inside its strings.
		if _, err := io.WriteString(w, ref); err != nil {
			return err
		}
		b = b[i+1:]
	}
	return nil
}
