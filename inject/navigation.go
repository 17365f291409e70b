package inject

import "net/http"

// DocumentNavigation reports whether r is a request whose response a
// browser will load as a document, so that a script inserted into it runs.
// It is the default for Documents.
//
// A fetch()/XMLHttpRequest response inserted into a page with innerHTML,
// an htmx partial or a Turbo frame never runs the <script> elements it
// carries in the way a loaded document does, so a script inserted there is
// wasted at best; at worst it consumes a one-time sign-out reset that then
// never runs. The rules, first match wins:
//
//  1. Fetch Metadata, which current browsers send on every request:
//     Sec-Fetch-Mode: navigate is a document (a top-level page, an
//     <iframe> or <frame>, an <object> or <embed> showing HTML); any other
//     Sec-Fetch-Mode is not. Without Sec-Fetch-Mode, Sec-Fetch-Dest
//     document, iframe or frame is a document and any other value is not.
//  2. Where a client sends no Fetch Metadata (an older browser, a test
//     client, a proxy that strips them), the conventions of the libraries
//     that fetch pages in the background: HX-Request (htmx, partial or
//     boosted), HX-History-Restore-Request (htmx restoring history from the
//     server), Turbo-Frame and X-Turbo-Request-Id (Turbo frames and Drive
//     visits) and X-Requested-With (jQuery and most XHR wrappers) each mean
//     not a document.
//  3. Anything else is a document: a plain client, a crawler, curl.
//
// htmx-boosted links and forms and Turbo Drive visits swap a page in
// without loading a document: htmx does not run the scripts of the new
// <head>, and a widget that read its globals at load is not told about new
// ones. Their responses are therefore not documents; a page that changes
// identity that way is updated by a client runtime instead (chatident's
// middleware serves one with an identity endpoint).
//
// Speculative loads (Sec-Purpose: prefetch, prerender) are navigations and
// count as documents: the browser shows the response as a page if the
// visitor follows the link.
func DocumentNavigation(r *http.Request) bool {
	h := r.Header
	// Direct map lookups with canonical keys: these run on every request
	// that reaches a decision, and Header.Get canonicalises each time.
	if mode := h["Sec-Fetch-Mode"]; len(mode) > 0 {
		return mode[0] == "navigate"
	}
	if dest := h["Sec-Fetch-Dest"]; len(dest) > 0 {
		switch dest[0] {
		case "document", "iframe", "frame":
			return true
		}
		return false
	}
	// htmx 1, 2 and 4 (every request it makes; restoring a page missing
	// from its history cache), Turbo 7.3+ (a frame; every fetch it makes),
	// jQuery and many XHR wrappers.
	return !has(h, "Hx-Request") && !has(h, "Hx-History-Restore-Request") &&
		!has(h, "Turbo-Frame") && !has(h, "X-Turbo-Request-Id") &&
		!has(h, "X-Requested-With")
}

// has reports whether h holds the canonical key k, with any value.
func has(h http.Header, k string) bool {
	_, ok := h[k]
	return ok
}

// Documents sets the predicate that says whether a request's response is
// loaded by the browser as a document. Responses to other requests pass
// through untouched and byte-identical, without calling the script
// function, reported as Fragment. The default is DocumentNavigation;
// Documents(nil) keeps it. A predicate that returns true for every request
// restores the behaviour of inserting into any HTML response.
func Documents(f func(*http.Request) bool) Option {
	return func(c *config) { c.documents = f }
}
