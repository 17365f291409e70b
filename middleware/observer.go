package middleware

import (
	"context"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/vendors"
)

// EventKind says what an Event is about.
type EventKind int

const (
	// EventResponse is one response that reached the middleware's rewriter;
	// Reason is one of ResponseReasons: an inject.Reason ("injected",
	// "not_html", ...) or "anonymous" or "error".
	EventResponse EventKind = iota + 1
	// EventInjection is one vendor's identity (or anonymous) code applied
	// in a page; Reason is one of InjectionScripts, "identify" or
	// "anonymous".
	EventInjection
	// EventReset is one vendor's sign-out reset placed in a page.
	EventReset
	// EventEndpoint is one call of a vendor endpoint; Reason is one of
	// EndpointResults: "issued" or why not: the endpoint's own reason
	// (vendors.EndpointReasons), "error" when it panicked, or "other" when
	// it gave none or one that is not a short lower-case word.
	EventEndpoint
	// EventBuildError is a vendor that failed to write its page data; the
	// page was served without it. Reason is one of BuildErrorReasons:
	// "error" (the vendor returned an error) or "panic" (it panicked).
	EventBuildError
	// EventNote is a vendor that served this visitor less than usual and
	// said why (vendors.Request.Notes). Reason is one of
	// vendors.NoteReasons: "ambiguous" (Webim declined to sign for this
	// visitor and served its anonymous script) or "charset" (characters
	// Webim's account charset cannot hold were sent and signed as '?').
	EventNote
)

// EventToken is the former name of EventEndpoint: endpoints other than
// Zendesk's token endpoint report it too.
//
// Deprecated: use EventEndpoint.
const EventToken = EventEndpoint

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

// LabelObserver is an Observer that creates its series up front: New calls
// Labels once with the closed lists of values its events can carry, among
// them the configured vendors' names, so that nothing need be counted as
// "other". metrics.Metrics is one.
type LabelObserver interface {
	Observer
	Labels(l Labels)
}

// Labels are the closed lists of values a Middleware's events carry.
type Labels struct {
	Vendors     []string // the configured vendors' names, in Config order
	Responses   []string // ResponseReasons()
	Injections  []string // InjectionScripts()
	BuildErrors []string // BuildErrorReasons()
	Endpoints   []string // EndpointResults()
	Notes       []string // vendors.NoteReasons()
}

// Response reasons the middleware reports in place of inject.NoScript.
const (
	reasonAnonymous = "anonymous" // an anonymous visitor whose vendors need nothing
	reasonError     = "error"     // every vendor failed
)

// ResponseReasons returns every Reason of EventResponse, in a fixed order:
// inject.Reasons(), then "anonymous", "error", and the identity endpoint's
// "identity" (data served) and "identity_refused" (403 or 405).
func ResponseReasons() []string {
	var rs []string
	for _, r := range inject.Reasons() {
		rs = append(rs, string(r))
	}
	return append(rs, reasonAnonymous, reasonError, reasonIdentity, reasonIdentityRefused)
}

// InjectionScripts returns every Reason of EventInjection.
func InjectionScripts() []string { return []string{modeIdentify, modeAnonymous} }

// The build-error reasons.
const (
	buildError = "error" // the vendor returned an error
	buildPanic = "panic" // the vendor panicked
)

// BuildErrorReasons returns every Reason of EventBuildError.
func BuildErrorReasons() []string { return []string{buildError, buildPanic} }

// Endpoint-call results the middleware itself reports.
const (
	reasonIssued = "issued" // the endpoint handed out a token or signed object
	reasonOther  = "other"  // not issued, and the endpoint gave no usable reason
)

// EndpointResults returns every Reason of EventEndpoint: "issued", the
// vendors' endpoint reasons, and "other".
func EndpointResults() []string {
	return append(append([]string{reasonIssued}, vendors.EndpointReasons()...), reasonOther)
}
