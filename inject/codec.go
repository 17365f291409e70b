package inject

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
)

// Codec decodes and encodes one HTTP content coding (RFC 9110, section
// 8.4.1), so that Handler can insert its script into a page that the
// application, or an upstream it proxies, has already compressed. Package
// inject/codecs provides gzip, deflate, br and zstd; the middleware
// registers them by default.
//
// A Codec is shared by every response of a Handler, so its methods must be
// safe for concurrent use. Each decoder and encoder it returns serves one
// response, on one goroutine at a time.
type Codec interface {
	// Encoding returns the content-coding token as it appears in
	// Content-Encoding: "gzip", "deflate", "br", "zstd". Tokens are
	// compared without regard to case.
	Encoding() string
	// NewReader returns a decoder of the coded stream read from src. It
	// may read from src before it returns (a gzip header, say); an error
	// means the stream is not in this coding. Close releases the decoder,
	// which the codec may then reuse; it does not close src.
	NewReader(src io.Reader) (io.ReadCloser, error)
	// NewWriter returns an encoder writing the coding to dst.
	NewWriter(dst io.Writer) Encoder
}

// Encoder is a streaming encoder made by a Codec for one response.
type Encoder interface {
	io.Writer
	// Flush writes everything written so far to the destination in a form
	// the client can decode without waiting for more (a sync flush), so
	// that an application's http.Flusher keeps working through the
	// coding.
	Flush() error
	// Close ends the coded stream (its trailer goes to the destination)
	// and releases the encoder, which the codec may then reuse. An encoder
	// given up without Close (a response aborted on a corrupt stream) is
	// left to the garbage collector.
	Close() error
}

// Codecs sets the content codings Handler decodes and re-encodes, replacing
// any set before; with no codec at all, decoding is off. Without this option
// Handler decodes nothing, and every response with a Content-Encoding passes
// through untouched (Encoded).
//
// When a codec's token is the response's only Content-Encoding, the page is
// decoded as it streams, the script inserted as in an uncompressed page, and
// the result encoded again in the same coding, so the client gets what it
// accepted; Flush reaches through to the encoder. See Handler for the
// headers. Handler panics if two codecs claim the same token.
func Codecs(cs ...Codec) Option {
	return func(c *config) { c.codecs = append([]Codec(nil), cs...) }
}

// Logger sets where Handler logs its warnings: once per Handler, when a
// response first passes through un-injected because its Content-Encoding
// cannot be decoded (Encoded), and once when a compressed page first turns
// out corrupt (Corrupt). Nil, the default, means slog.Default() at the time
// of logging. The log carries the Content-Encoding value only, never a
// request's data.
func Logger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// checkCodecs panics on a nil codec or on two codecs with the same token.
func checkCodecs(cs []Codec) {
	for i, c := range cs {
		if c == nil {
			panic("inject: Codecs: nil codec")
		}
		for _, o := range cs[:i] {
			if equalFoldASCII(o.Encoding(), c.Encoding()) {
				panic("inject: Codecs: two codecs for " + c.Encoding())
			}
		}
	}
}

// codecFor returns the codec for a response's Content-Encoding field
// values, or nil when they name no registered codec: several codings
// stacked (in one value or several), an unknown token, or none registered.
// "x-gzip" is gzip, as RFC 9110 asks of recipients.
func (c *config) codecFor(values []string) Codec {
	if len(c.codecs) == 0 {
		return nil
	}
	tok := ""
	for _, v := range values {
		if v == "" {
			continue // an empty field line adds no coding
		}
		if tok != "" {
			return nil
		}
		tok = v
	}
	tok = strings.Trim(tok, " \t")
	if strings.IndexByte(tok, ',') >= 0 {
		return nil
	}
	if equalFoldASCII(tok, "x-gzip") {
		tok = "gzip"
	}
	for _, cd := range c.codecs {
		if equalFoldASCII(cd.Encoding(), tok) {
			return cd
		}
	}
	return nil
}

// encoding is classify's check of a response with a Content-Encoding: ""
// when a registered codec can decode it and the declared type is HTML (the
// remaining checks then run as for any response), else the reason to pass it
// through. A response with no Content-Type is NotHTML: net/http sniffs the
// coded bytes, which never look like HTML.
func (rs *response) encoding(values []string) Reason {
	ct := rs.w.Header()["Content-Type"]
	if len(ct) == 0 || !allHTMLTypes(ct) {
		return NotHTML
	}
	if rs.codec = rs.h.cfg.codecFor(values); rs.codec == nil {
		return Encoded
	}
	return ""
}

// warnOnce logs, once per Handler and kind, that a response passed through
// because chatident could not decode it, with the fix.
func (h *handler) warnOnce(header http.Header, reason Reason) {
	var once *onceFlag
	var msg string
	switch reason {
	case Encoded:
		once, msg = &h.warnedEncoded, "chatident: an HTML response went out without its script: its Content-Encoding "+
			"is not one chatident decodes (or decoding is off); compress outside chatident instead: compress(chatident(app))"
	case Corrupt:
		once, msg = &h.warnedCorrupt, "chatident: an HTML response went out without its script, or was cut off: "+
			"its compressed body does not decode; compress outside chatident instead: compress(chatident(app))"
	default:
		return
	}
	if !once.first() {
		return
	}
	l := h.cfg.logger
	if l == nil {
		l = slog.Default()
	}
	ce := strings.Join(header["Content-Encoding"], ", ")
	if len(ce) > 64 {
		ce = ce[:64]
	}
	l.Warn(msg, slog.String("content_encoding", ce), slog.String("reason", string(reason)))
}

// onceFlag is true for the first caller of first only.
type onceFlag struct{ done atomic.Bool }

func (o *onceFlag) first() bool { return o.done.CompareAndSwap(false, true) }
