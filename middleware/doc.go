// Package middleware is what applications call: it finds the signed-in
// visitor, asks each configured vendor for its data, inserts one constant
// page script with that data into HTML responses through package inject,
// serves the vendors' endpoints and clears widgets after sign-out.
//
// # Data flow
//
// One request through the handler Wrap returns:
//
//	request ─► path under EndpointPrefix? ─yes─► vendor endpoint (or 404)
//	   │ no                                         └─ visitor resolved, EventEndpoint
//	   ▼
//	inject.HandlerFor(app, open) ─► app writes its response
//	   │   open: a pooled page, the middleware's side of the per-response
//	   │   contract (inject.Response); nothing goes into the request context
//	   │
//	   ├─ not eligible (not HTML, not a document navigation, 304, …): passed
//	   │  through; no visitor lookup, no signing, no cookies
//	   │
//	   └─ eligible HTML, headers still held ─► page.Script:
//	        visitor: WithVisitor context, then each Source in order (once)
//	        sign-out marker: resets needed? (see SignOut; checks memoised)
//	        each vendor in Config order: Identify (visitor known) writes its
//	        values into the page data; memoised HMACs by the exact bytes
//	     ─► Insertion{Code: the constant page script built in New,
//	                  Data: {"v":1,"vendors":{…}}}
//	     ─► page.Commit (headers about to go): marker set or expired on the
//	        held headers only if the script is in the page
//	     ─► inject inserts <script data-chatident='…'>CODE</script>
//	   ▼
//	page.Done ─► Observer: EventResponse, then EventReset and EventInjection
//	per vendor (EventBuildError and EventNote as they happen)
//
// Nothing is done for a response before inject knows it is eligible HTML, so
// assets and API responses never pay for cookie decoding or signing; the
// visitor is resolved at most once per request. The page script's text is
// the same on every page (ScriptHash); the runtime in it applies each
// vendor's constant code to its data (see runtime.go for the data format).
//
// # Failures at request time
//
// Nothing panics and nothing is lost. A vendor whose data fails (an error or
// a panic) is left out of that page, logged and reported as
// EventBuildError; the other vendors are unaffected. A vendor that declines
// a visitor (vendors.ErrAnonymous) gets its anonymous code instead. When
// every vendor fails, the page is served unchanged and EventResponse says
// "error". A Source that fails or panics counts as "no visitor" (one that
// refuses every request is reported once, at Warn); an endpoint that
// panics gets a 500. Vendor code is checked once, in New: code that could
// end its <script> element, or is not ASCII, is a configuration error.
//
// # Logging
//
// Failures are logged to Config.Logger (slog.Default() when nil) with the
// request context. Records never carry a visitor value or a secret: a
// vendor's error text is not logged, because the Vendor contract does not
// promise it is free of visitor values; the record names the vendor, the
// mode ("identify" or "anonymous"), the kind of failure, the
// error's Go type and, for a *vendors.ConfigError, its Field. Panic values are
// logged by type only. A Source's errors are logged at debug level, and
// Sources promise their errors carry no user values.
//
// # Documents, fragments, and identity without a page load
//
// Only a response the browser loads as a document gets the script
// (Config.Navigation, inject.DocumentNavigation): htmx partials, Turbo
// frames, htmx-boosted swaps, Turbo Drive visits and fetch() calls pass
// through untouched and never consume a sign-out reset. The page script's
// runtime fetches GET <EndpointPrefix>identity after boosted swaps, Turbo
// Drive visits, history and back/forward-cache restores, and on
// window.chatident.refresh(), and applies what changed through each
// vendor's in-place call (vendors.Script.Update). See client.go and
// identity.go, and Config.Consent for visitors who have not agreed to be
// identified.
package middleware
