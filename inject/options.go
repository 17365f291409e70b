package inject

import (
	"fmt"
	"log/slog"
	"net/http"
)

// Placement says where in the page the script is inserted.
//
// Every marker is a tag as the HTML standard's tokenizer sees it:
// case-insensitive, attributes allowed, and never inside a comment, an
// attribute value, or the text of <script>, <style>, <textarea>, <title>,
// <xmp>, <iframe>, <noembed>, <noframes>, <noscript> or <plaintext>. A page
// without the marker is passed on unchanged.
//
// Wherever the script goes, a browser's tree builder must see it as one HTML
// <script> element with exactly the inserted text, outside <template>
// content. For BeforeHeadClose and BeforeBodyClose, markup before the marker
// can make that uncertain for a stream (user content such as
// <svg></div><textarea> or <math><mi><style>), so the page is then passed on
// unchanged and reported as Ambiguous. That happens at: inline SVG or MathML
// that holds a breakout tag (<p>, <div>…), a <font>, any tag inside
// <foreignObject>, <desc>, <title>, <mi>, <mo>, <mn>, <ms>, <mtext> or
// <annotation-xml>, or an end tag that closes no open SVG or MathML element;
// the marker itself inside SVG or MathML; <template>; <frameset>; and a
// <select> holding anything but <option>, <optgroup> and <hr> before its
// </select>. Ordinary inline SVG icons (paths, groups, gradients, a <title>
// with text), tables and forms do not cause it. AfterHeadOpen is never
// ambiguous: it inserts before any of these can open (but see its note on
// <meta charset>).
type Placement int

const (
	// AfterHeadOpen inserts right after the first <head> start tag, so the
	// identity exists before any vendor loader the page already has. This is
	// the default.
	//
	// When the page has no <head> tag, the script goes where the HTML parser
	// opens the head implicitly: before the first start tag other than
	// <html>, before the first character of text that is not white space, or
	// before a </head>, </body>, </html> or </br> end tag, whichever comes
	// first. A doctype, comments, processing instructions and white space
	// before it are skipped.
	//
	// When Content-Type names no UTF-8 charset, browsers take the page's
	// encoding from a <meta charset> (or http-equiv content-type) in its
	// first 1024 bytes, and the script must not push that declaration out
	// of them. The script then goes right after the last such declaration
	// when only <meta>, <link>, <base>, <title>, <style>, <noscript>,
	// comments and white space come before it; otherwise where it would
	// go anyway if the declaration still ends inside the 1024 bytes; and
	// if neither holds (a script or text before the declaration, say), the
	// page passes unchanged, reported as MetaCharset. The bytes from the
	// insertion point are held until 1024 bytes or the end of the page
	// have arrived.
	AfterHeadOpen Placement = iota
	// BeforeHeadClose inserts right before the first </head> end tag.
	BeforeHeadClose
	// BeforeBodyClose inserts right before the first </body> end tag.
	BeforeBodyClose
)

// String returns the constant's name, for logs and error messages.
func (p Placement) String() string {
	switch p {
	case AfterHeadOpen:
		return "AfterHeadOpen"
	case BeforeHeadClose:
		return "BeforeHeadClose"
	case BeforeBodyClose:
		return "BeforeBodyClose"
	}
	return fmt.Sprintf("Placement(%d)", int(p))
}

// Option configures Handler.
type Option func(*config)

type config struct {
	placement Placement
	observer  func(*http.Request, Outcome)
	maxHeld   int
	eligible  func(status int) bool
	codecs    []Codec
	logger    *slog.Logger
	documents func(*http.Request) bool
}

// DefaultMaxHeld is the default cap on body bytes held back while looking for
// the marker; see MaxHeld.
const DefaultMaxHeld = 32 << 10

// At sets the placement. The default is AfterHeadOpen. Handler panics on a
// value that is not one of the Placement constants, so a typo fails at
// start-up rather than on a request.
func At(p Placement) Option { return func(c *config) { c.placement = p } }

// Observe registers f to receive exactly one Outcome per response that
// reached the handler, after the handler has returned (also when it
// panicked: the Outcome is then Aborted and f runs before the panic goes on
// up the stack). f runs on the request's goroutine, so it must be fast.
func Observe(f func(*http.Request, Outcome)) Option { return func(c *config) { c.observer = f } }

// MaxHeld caps the body bytes held back while looking for the marker.
//
// While the response headers are still held (so Content-Length can grow and a
// CSP hash can be added), up to n bytes of body are buffered. When more
// arrive before the marker, the headers are sent in the form that allows a
// later insertion (no Content-Length) and the body streams on; only the few
// bytes that could still be the start of the marker are held. If those alone
// reach n bytes (a single huge tag), the response is passed on unchanged and
// reported as GaveUp. Each response's buffer is pooled, so memory per
// response is bounded by n whatever the size of the body. Values below 1
// select DefaultMaxHeld.
func MaxHeld(n int) Option { return func(c *config) { c.maxHeld = n } }

// Statuses sets which final status codes are eligible for insertion. The
// default accepts 2xx except 204 No Content and 206 Partial Content.
// Informational 1xx responses are never final and always pass through.
func Statuses(f func(status int) bool) Option { return func(c *config) { c.eligible = f } }

// defaultEligible is the default Statuses rule.
func defaultEligible(status int) bool {
	return status >= 200 && status < 300 &&
		status != http.StatusNoContent && status != http.StatusPartialContent
}

// newConfig applies opts over the defaults and checks the result.
func newConfig(opts []Option) config {
	c := config{placement: AfterHeadOpen, maxHeld: DefaultMaxHeld, eligible: defaultEligible}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	switch c.placement {
	case AfterHeadOpen, BeforeHeadClose, BeforeBodyClose:
	default:
		panic(fmt.Sprintf("inject: At(%v): not a Placement constant", c.placement))
	}
	if c.maxHeld < 1 {
		c.maxHeld = DefaultMaxHeld
	}
	if c.eligible == nil {
		c.eligible = defaultEligible
	}
	checkCodecs(c.codecs)
	if c.documents == nil {
		c.documents = DocumentNavigation
	}
	return c
}
