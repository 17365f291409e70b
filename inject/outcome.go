package inject

// Reason says what happened to one response. The values are stable and low in
// cardinality: they are used as metric labels.
type Reason string

// The reasons an Observer may see.
const (
	Injected  Reason = "injected"   // the script was inserted
	NotHTML   Reason = "not_html"   // Content-Type is not text/html or application/xhtml+xml
	Encoded   Reason = "encoded"    // a Content-Encoding no registered Codec decodes (compress outside chatident)
	Corrupt   Reason = "corrupt"    // the compressed body did not decode: passed on as it was, or cut off
	Status    Reason = "status"     // the final status is not eligible
	Method    Reason = "method"     // HEAD request for a page that would get the script: the GET's headers, no body, no script
	NoScript  Reason = "no_script"  // the script function returned nothing for this request
	NoMarker  Reason = "no_marker"  // the body ended without the marker
	GaveUp    Reason = "gave_up"    // MaxHeld bytes were held without finding the marker
	Ambiguous Reason = "ambiguous"  // the page's markup left it unsure that the script would be an HTML <script> (see At)
	CSPBlocks Reason = "csp_blocks" // a Content-Security-Policy forbids all scripts ('none')
	BadScript Reason = "bad_script" // the script could end its own <script> element
	Aborted   Reason = "aborted"    // the handler panicked
	Hijacked  Reason = "hijacked"   // the handler took over the connection
	// Charset: the page's Content-Type names a charset that is not
	// ASCII-compatible (UTF-16, ISO-2022-JP, …), or its body starts with a
	// UTF-16 byte order mark: an ASCII <script> would not read as one.
	Charset  Reason = "charset"
	Fragment Reason = "fragment" // the request is not a document navigation (see Documents)
	// MetaCharset: inserting at the default placement would have moved the
	// page's <meta charset> (or http-equiv content-type) declaration out of
	// the first 1024 bytes, where browsers look for it, and the script could
	// not go after it without following another script.
	MetaCharset Reason = "meta_charset"
)

// Reasons returns every Reason Handler reports, in a fixed order, so that an
// observer can create its metric series up front.
func Reasons() []Reason {
	return []Reason{Injected, NotHTML, Encoded, Status, Method, NoScript,
		NoMarker, GaveUp, Ambiguous, CSPBlocks, BadScript, Aborted, Hijacked, Corrupt, Charset, Fragment, MetaCharset}
}

// Outcome is the result for one response, reported to the Observe callback.
type Outcome struct {
	Reason Reason
	// Status is the final status code sent: 200 when the handler set none.
	// It is 0 when the handler panicked before a status went out, or took
	// over the connection without sending one.
	Status int
	// Held is the number of body bytes that were held back (delayed in the
	// buffer rather than sent on) when the marker was found or looking
	// stopped. It is 0 when the marker was in the first write.
	Held int
	// Inserted is the number of bytes inserted (the whole <script> element);
	// 0 unless Reason is Injected.
	Inserted int
}
