// Package vendors turns a signed-in visitor into the JavaScript that identifies
// them to a support chat widget: Webim, edna Chat Center, HelpCrunch and Zendesk.
//
// Each vendor lives in its own file and follows that vendor's documented scheme
// to the byte. All values are written into scripts through one encoder that
// produces ASCII-only JavaScript literals safe inside an HTML <script> element.
//
// # Vendors at a glance
//
//	type        browser sees                                   secrets (server only)
//	Webim       signed webim_visitor object, opaque id          PrivateKey, IDKey
//	Edna        opaque clientId (a bearer id), clientData JSON   IDKey
//	HelpCrunch  user_id + security_hash (HMAC)                   Secret
//	Zendesk     a function that fetches a 5-minute JWT           Secret
//
// Each type's documentation explains its identity mode, its secrets and its
// security notes; read them before going live. Two choices run through all
// of them:
//
//   - Ids that a widget treats as credentials are opaque by default:
//     HMAC-SHA256 of the site's user id under a key of the site, in hex. Keys
//     that derive ids must never change, or every visitor loses their chat
//     history. Raw ids are an explicit opt-in (RawID) whose risk is stated.
//   - Values are sent as the browser will see them: invalid UTF-8 becomes
//     U+FFFD (see AppendJS), and signatures are computed over that form.
//
// # Scripts
//
// Scripts are built from constant code fragments and encoder output only; no
// visitor value is ever concatenated into JavaScript. Calls that need a
// widget's API (the resets, Zendesk Messaging's loginUser) run at once when
// the API is present and otherwise once the page has loaded, because the
// default placement runs them early in <head>, before the widget exists.
//
// # Endpoints
//
// Webim (refresh) and Zendesk (token) serve endpoints under Request.Endpoints.
// They answer GET only, send Cache-Control: no-store JSON, answer an anonymous
// visitor with 401, and refuse a request the browser marks cross-site with
// 403 (Zendesk can allow listed origins).
//
// # Writing another vendor
//
// A third-party Vendor should write every value with AppendJS or JSString,
// check its configuration in Validate returning *ConfigError, and return an
// error rather than an unsigned identity. Request.Now is the signing time; a
// zero Now means the current time.
package vendors
