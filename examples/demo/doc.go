// Command demo is a small site served through chatident, configured with
// twelve chat widgets (Webim, edna Chat Center, HelpCrunch, Zendesk Chat
// through its Chat Web SDK, Intercom, Crisp, tawk.to, Chatwoot, Help Scout
// Beacon, Front Chat, Drift and HubSpot), that runs offline with no
// configuration.
//
// The site itself is package site (examples/demo/site): this command reads
// the secrets, listens and shuts down; examples/loadtest runs the same site
// in-process to measure chatident's overhead.
//
// # Running it
//
//	go run ./examples/demo                 # http://127.0.0.1:8080
//	go run ./examples/demo -addr 127.0.0.1:0
//
// The log prints the real URL on one line, "chatident demo listening on
// http://127.0.0.1:PORT", so a test can start the demo with port 0 and read
// the URL from the log. SIGINT or SIGTERM shuts it down gracefully.
//
// Sign in with any user id and any name, e-mail, phone and company (there is
// no password): the page then carries each vendor's identity script at the
// top of <head>, inserted by chatident. Sign out, and the next page resets
// every widget once.
//
// # Endpoints
//
//	GET  /                          the page (html/template, strict nonce CSP)
//	POST /login                     form fields user_id, name, email, phone, company; 303 to /
//	POST /logout                    ends the session; 303 to /
//	GET  /metrics                   chatident's Prometheus metrics (a private registry)
//	GET  /_chatident/...            chatident's vendor endpoints (Zendesk token, Webim refresh)
//	GET  /standin/*.js, demo.css    the stand-in widgets and the stylesheet
//	POST /standin/<vendor>/verify   the stand-ins' vendor servers (webim, helpcrunch, zendesk,
//	                                intercom, crisp, tawkto, chatwoot, helpscout, front, drift, hubspot)
//
// # Stand-in widgets
//
// The real widgets load from the vendors' servers, so the demo serves a local
// stand-in per vendor instead, labelled as such on the page. The vendors'
// loader URLs point at them (Webim LoaderURL, HelpCrunch WidgetURL, Zendesk
// SDKURL, the other eight's ScriptURL), and the page includes edna's stand-in init script at the end of
// <body>, as a site includes edna's init code. Each stand-in reads exactly
// what the real widget reads, asks POST /standin/<vendor>/verify (the demo
// playing the vendor's server, which holds the key; checked with crypto/hmac
// and jwt directly, not with package vendors) whether the signature verifies,
// and fills in its panel: the element id="standin-<vendor>" with data-state
// ("waiting", "identified", "anonymous" or "reset"), data-verified ("true",
// "false" or, for edna, which has no signature, "n/a"), data-received (JSON
// of what the widget received) and data-resets (how many resets it saw).
// The page does not depend on the stand-ins: the identity scripts in it are
// exactly what the real widgets would get.
//
// # Secrets
//
// Each secret comes from the environment; a string is used as its UTF-8
// bytes:
//
//	CHATIDENT_WEBIM_KEY          Webim private key (signs webim_visitor)
//	CHATIDENT_EDNA_KEY           edna id key (clientId = HMAC-SHA256(key, user id), hex)
//	CHATIDENT_HELPCRUNCH_SECRET  HelpCrunch secret (security_hash)
//	CHATIDENT_ZENDESK_SECRET     Zendesk Chat shared secret (the visitor JWT, HS256)
//	CHATIDENT_SESSION_KEY        securecookie hash key of the session cookie, at least 32 bytes
//	CHATIDENT_INTERCOM_SECRET    Intercom identity verification secret (intercom_user_jwt, HS256)
//	CHATIDENT_CRISP_SECRET       Crisp verify secret (user:email signature)
//	CHATIDENT_TAWK_SECRET        tawk.to JavaScript API key (Secure Mode hash)
//	CHATIDENT_CHATWOOT_SECRET    Chatwoot inbox hmac_token (identifier_hash)
//	CHATIDENT_HELPSCOUT_SECRET   Help Scout Beacon secure key (signature)
//	CHATIDENT_FRONT_SECRET       Front chat verification secret (userHash)
//	CHATIDENT_DRIFT_SECRET       Drift widget signing key (the identity JWT, HS256)
//	CHATIDENT_HUBSPOT_TOKEN      HubSpot private app token, sent to the demo's in-process
//	                             stand-in of HubSpot's token API (nothing leaves the machine)
//
// Each one that is unset or empty is generated at start (32 random bytes,
// hex-encoded; the 64 characters are the secret) and the log names the
// variables that were generated. No secret, given or generated, is ever
// logged or sent to a browser. Generated secrets die with the process, so
// sessions do not survive a restart unless CHATIDENT_SESSION_KEY is set.
//
// Three more keys are derived, so that a test that knows the environment can
// recompute every value the page carries:
//
//	Webim IDKey (opaque visitor ids) = HMAC-SHA256(CHATIDENT_WEBIM_KEY, "chatident demo webim id key")
//	sign-out marker key              = HMAC-SHA256(CHATIDENT_SESSION_KEY, "chatident demo sign-out marker key")
//	Crisp TokenIDKey (CRISP_TOKEN_ID) = HMAC-SHA256(CHATIDENT_CRISP_SECRET, "chatident demo crisp token id key")
//
// each the raw 32-byte digest. The Webim id of a user is then
// HMAC-SHA256(IDKey, user id) in hex, and Crisp's CRISP_TOKEN_ID
// HMAC-SHA256(TokenIDKey, user id) in hex.
//
// HubSpot tokens come from the stand-in of HubSpot's API inside the demo
// (APIBase https://hubspot-api.standin.invalid, answered in-process by the
// vendor's Client); /metrics adds chatident_hubspot_token_failures_total.
//
// # Sessions
//
// The session is a securecookie (JSON, signed with CHATIDENT_SESSION_KEY, not
// encrypted, 8 hours) named chatident_demo_session. chatident reads it with
// middleware.SessionCookie, the same way a site with its own securecookie
// session would: see site/session.go.
package main
