// Package middleware is what applications call: it finds the signed-in
// visitor, asks each configured vendor for its script, inserts the scripts
// into HTML responses through package inject, serves the vendors' endpoints
// and clears widgets after sign-out.
//
// # Data flow
//
// One request through the handler Wrap returns:
//
//	request ─► path under EndpointPrefix? ─yes─► vendor endpoint (or 404)
//	   │ no                                         └─ visitor resolved, EventToken
//	   ▼
//	inject.Handler(app) ─► app writes its response
//	   │
//	   ├─ not eligible (not HTML, encoded, HEAD, 304, …): passed through;
//	   │  no visitor lookup, no signing, no cookies
//	   │
//	   └─ eligible HTML, headers still held ─► script callback:
//	        visitor: WithVisitor context, then each Source in order (once)
//	        sign-out marker: resets needed? (see SignOut)
//	        each vendor in Config order: Reset (if needed), then
//	        Identify (visitor known) or Anonymous (not),
//	        each wrapped in try{…}catch(e){}
//	        marker cookie set or expired on the held headers
//	     ─► inject inserts <script>…</script> at Placement
//	   ▼
//	Observer: EventResponse, then EventReset and EventInjection per vendor
//	(EventBuildError as failures happen)
//
// Nothing is done for a response before inject knows it is eligible HTML, so
// assets and API responses never pay for cookie decoding or signing; the
// visitor is resolved at most once per request.
//
// # Failures at request time
//
// Nothing panics and nothing is lost. A vendor whose script fails to build
// (an error, a panic, or a script that could end its <script> element) is
// left out of that page, logged and reported as EventBuildError; the other
// vendors are unaffected. When every vendor fails, the page is served
// unchanged and EventResponse says "error". A Source that fails or panics
// counts as "no visitor"; an endpoint that panics gets a 500.
//
// # Logging
//
// Failures are logged to Config.Logger (slog.Default() when nil) with the
// request context. Records never carry a visitor value or a secret: a
// vendor's error text is not logged, because the Vendor contract does not
// promise it is free of visitor values; the record names the vendor, the
// script ("identify", "anonymous" or "reset"), the kind of failure, the
// error's Go type and, for a *vendors.ConfigError, its Field. Panic values are
// logged by type only. A Source's errors are logged at debug level, and
// Sources promise their errors carry no user values.
package middleware
