package middleware

import "context"

// EventKind says what an Event is about.
type EventKind int

const (
	// EventResponse is one HTML-eligible or skipped response; Reason is an
	// inject.Reason ("injected", "not_html", ...) or "anonymous" or "error".
	EventResponse EventKind = iota + 1
	// EventInjection is one vendor's identity (or anonymous) script placed in a
	// page; Reason is "identify" or "anonymous".
	EventInjection
	// EventReset is one vendor's sign-out reset script placed in a page.
	EventReset
	// EventToken is one call of a vendor endpoint; Reason is "issued" or why not:
	// the endpoint's own reason ("anonymous", "cross_site", "method", ...),
	// "error" when it panicked, or "other" when it gave none or one that is not
	// a short lower-case word.
	EventToken
	// EventBuildError is a vendor that failed to build its script; the page was
	// served without it. Reason is "error" (the vendor returned an error),
	// "panic" (it panicked) or "unsafe" (its script could end its own <script>
	// element or was not ASCII).
	EventBuildError
	// EventNote is a vendor that served this visitor less than usual and
	// said why (vendors.Request.Notes). Reason is one of
	// vendors.NoteReasons: "ambiguous" (Webim declined to sign for this
	// visitor and served its anonymous script) or "charset" (characters
	// Webim's account charset cannot hold were sent and signed as '?').
	EventNote
)

// Event is one thing the middleware did, for metrics. It never carries a user
// value: every field is drawn from a small fixed set.
type Event struct {
	Kind   EventKind
	Vendor string // the vendor's Name(), empty for EventResponse
	Reason string
	// Held is, for EventResponse, the number of body bytes held back before
	// the marker was found (or looking stopped).
	Held int
}

// Observer receives events. Implementations must be safe for concurrent use
// and fast: Observe runs on the request path. metrics.Metrics is one.
type Observer interface {
	Observe(ctx context.Context, e Event)
}
