// Package vendors turns a signed-in visitor into the data that identifies them
// to a support chat widget (Webim, edna Chat Center, HelpCrunch, Zendesk,
// Intercom, Crisp, tawk.to, Chatwoot, Help Scout Beacon, Front Chat, Drift and
// HubSpot), and holds each widget's constant JavaScript that applies that data.
//
// Identity is data, the code is constant: a Vendor's Prepare returns its
// code once (Script: identify, anonymous, reset and update-in-place
// functions), and its Identify writes one visitor's values into a Data per
// page. Each vendor lives in its own file and follows that vendor's
// documented scheme to the byte. All values are written through one encoder
// that produces ASCII-only JSON, whose strings are also safe inside an HTML
// <script> element.
//
// # Vendors at a glance
//
//	type        browser sees                                   secrets (server only)
//	Webim       signed webim_visitor object, opaque id          PrivateKey, IDKey
//	Edna        opaque clientId (a bearer id), clientData JSON   IDKey
//	HelpCrunch  user_id + security_hash (HMAC)                   Secret
//	Zendesk     a function that fetches a 5-minute JWT           Secret
//	Intercom    intercom_user_jwt (HS256) or user_hash (HMAC)    Secret
//	Crisp       signed user:email, opaque CRISP_TOKEN_ID         VerifySecret, TokenIDKey
//	TawkTo      Secure Mode hash of the e-mail (or userId)       APIKey
//	Chatwoot    identifier + identifier_hash (HMAC)              HMACToken
//	HelpScout   Beacon identify with signature (HMAC of e-mail)  SecureKey
//	Front       userId + userHash (HMAC)                         VerificationSecret
//	Drift       identify with a short-lived userJwt (HS256)      SigningKey
//	HubSpot     a 12-hour token from HubSpot's API, cached        Token
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
// Code is built from constant fragments and encoded configuration values
// only, once; no visitor value is ever concatenated into JavaScript: visitor
// values reach the page as data. Calls that need a
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
// A third-party Vendor implements Name, Prepare and Identify (see
// Example_ownWidget): Prepare checks the whole configuration, returning
// every mistake as a *ConfigError joined with errors.Join, and returns
// constant code; Identify writes values through Data and returns an error
// rather than an unsigned identity. Request.Now is the signing time; a zero
// Now means the current time.
package vendors
