package vendors

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Intercom identifies signed-in visitors to the Intercom Messenger with
// Intercom's identity verification, in one of two modes (Mode):
//
//   - IntercomJWT, Messenger Security, recommended by Intercom and the
//     default: the page gets window.intercomSettings = {app_id, api_base,
//     intercom_user_jwt}, an HS256 JWT signed with Secret that carries
//     user_id (the visitor's ID), email, name and exp (a token is reused
//     for the same visitor while half its lifetime remains). The signed fields
//     are left out of the plain settings and no user_hash is sent, so
//     nothing about the visitor can be changed in the browser.
//   - IntercomUserHash, the older identity verification: the page gets
//     {app_id, api_base, user_id, email, name, user_hash}, where user_hash
//     is HMAC-SHA256(Secret, user_id) in lowercase hex (of email when there
//     is no user_id; chatident always sends a user_id). name and email are
//     not signed in this mode: a visitor can change them in the browser.
//
// The Messenger boots from window.intercomSettings when its script
// (https://widget.intercom.io/widget/<AppID>) loads; the script is added
// unless the page already has it. Anonymous visitors get the same settings
// without identity. Remove Intercom's own installation snippet from pages
// served through chatident.
//
// Reset after sign-out calls Intercom('shutdown') then Intercom('boot',
// {app_id, api_base}), queued until the Messenger loads: Intercom keeps the
// conversation in its own cookies, so clearing the site's session is not
// enough. An in-place identity change (update) to another visitor does the
// same shutdown, then boots with the new settings, Intercom's documented way
// to switch users; new settings for the visitor the Messenger already runs
// for (a fresh JWT, a changed e-mail) go to Intercom('update', settings),
// which keeps the visitor's Messenger open. All calls used here are
// documented by Intercom.
//
// # Secrets
//
// Secret is the identity verification secret of the workspace (Settings →
// Security → Messenger; for JWT the same secret). It never reaches the
// browser.
//
// # Content Security Policy
//
// With a nonce (or a hash, which chatident adds) and 'strict-dynamic',
// nothing else is needed. For host allow-lists Intercom documents, among
// others: script-src https://app.intercom.io https://widget.intercom.io
// https://js.intercomcdn.com; connect-src https://via.intercom.io
// https://api-iam.intercom.io (and its .eu and .au forms)
// https://api-ping.intercom.io wss://nexus-websocket-a.intercom.io
// wss://nexus-websocket-b.intercom.io https://uploads.intercomcdn.com;
// font-src/media-src https://js.intercomcdn.com; style-src 'unsafe-inline'.
// Take the full, current list from Intercom's "Using Intercom with Content
// Security Policy".
//
// Build the value once and do not change its fields after passing it to
// middleware.New: requests read it concurrently.
type Intercom struct {
	// AppID is the workspace's app id (letters and digits), required.
	AppID string
	// Secret is the identity verification secret (required, at least 16
	// bytes), used as its bytes as Intercom shows it.
	Secret []byte
	// Region selects the api_base of the workspace's data region; IntercomUS
	// by default.
	Region IntercomRegion
	// Mode selects the signing scheme; IntercomJWT, the recommended one, by
	// default. Enable "Messenger Security" with JWT in Intercom first.
	Mode IntercomMode
	// JWTTTL is how long a JWT is valid (its exp); one hour by default, at
	// least a minute and at most a day. A page open longer than this needs
	// an update with a fresh JWT before the Messenger makes new requests.
	JWTTTL time.Duration
	// ScriptURL is the widget's script, https://widget.intercom.io/widget/<AppID>
	// by default: set it only to serve the widget from elsewhere (a local
	// stand-in, a proxy). An absolute http(s) URL or a path on the site.
	ScriptURL string

	macs hmacStates // reused states under Secret
	jwts jwtMemo    // signed JWTs, reused while half their life remains
}

// IntercomRegion is the data region of an Intercom workspace.
type IntercomRegion int

const (
	// IntercomUS is the United States region: api_base https://api-iam.intercom.io.
	IntercomUS IntercomRegion = iota
	// IntercomEU is the European region: api_base https://api-iam.eu.intercom.io.
	IntercomEU
	// IntercomAU is the Australian region: api_base https://api-iam.au.intercom.io.
	IntercomAU
)

// String returns "us", "eu" or "au".
func (r IntercomRegion) String() string {
	switch r {
	case IntercomUS:
		return "us"
	case IntercomEU:
		return "eu"
	case IntercomAU:
		return "au"
	}
	return "IntercomRegion(" + strconv.Itoa(int(r)) + ")"
}

// APIBase returns the region's api_base.
func (r IntercomRegion) APIBase() string {
	switch r {
	case IntercomEU:
		return "https://api-iam.eu.intercom.io"
	case IntercomAU:
		return "https://api-iam.au.intercom.io"
	}
	return "https://api-iam.intercom.io"
}

// IntercomMode is the signing scheme of Intercom's identity verification.
type IntercomMode int

const (
	// IntercomJWT signs the identity into intercom_user_jwt (Messenger
	// Security). Recommended by Intercom.
	IntercomJWT IntercomMode = iota
	// IntercomUserHash sends user_hash, HMAC-SHA256 of the user_id.
	IntercomUserHash
)

// String returns "jwt" or "user_hash".
func (m IntercomMode) String() string {
	switch m {
	case IntercomJWT:
		return "jwt"
	case IntercomUserHash:
		return "user_hash"
	}
	return "IntercomMode(" + strconv.Itoa(int(m)) + ")"
}

const (
	intercomName       = "intercom"
	intercomDefaultTTL = time.Hour
)

// Name returns "intercom".
func (ic *Intercom) Name() string { return intercomName }

// Validate reports every configuration mistake, each a *ConfigError,
// joined with errors.Join.
func (ic *Intercom) Validate() error {
	var errs []error
	errs = append(errs, checkID(intercomName, "AppID", ic.AppID, 64, ""))
	errs = append(errs, checkKey(intercomName, "Secret", ic.Secret))
	if ic.Region < IntercomUS || ic.Region > IntercomAU {
		errs = append(errs, configErr(intercomName, "Region", fmt.Sprintf("is %d, not IntercomUS, IntercomEU or IntercomAU", int(ic.Region))))
	}
	if ic.Mode < IntercomJWT || ic.Mode > IntercomUserHash {
		errs = append(errs, configErr(intercomName, "Mode", fmt.Sprintf("is %d, not IntercomJWT or IntercomUserHash", int(ic.Mode))))
	}
	switch {
	case ic.JWTTTL < 0:
		errs = append(errs, configErr(intercomName, "JWTTTL", "is negative"))
	case ic.JWTTTL != 0 && ic.JWTTTL < time.Minute:
		errs = append(errs, configErr(intercomName, "JWTTTL", "is shorter than a minute"))
	case ic.JWTTTL > 24*time.Hour:
		errs = append(errs, configErr(intercomName, "JWTTTL", "is longer than a day"))
	}
	if ic.ScriptURL != "" {
		errs = append(errs, checkScriptURL(intercomName, "ScriptURL", ic.ScriptURL))
	}
	return errors.Join(errs...)
}

// Prepare checks the configuration, prepares the keyed state and returns
// the Messenger's constant code:
//
//   - Identify sets window.intercomSettings to app_id, api_base and d's
//     identity fields and loads the Messenger, which boots from them (an
//     Intercom already running gets Intercom('update', settings), as
//     Intercom's snippet does);
//   - Anonymous does the same without identity;
//   - Reset calls Intercom('shutdown') then Intercom('boot', {app_id,
//     api_base}), queued until the Messenger loads;
//   - Update, on a running Messenger, calls Intercom('update', settings)
//     when d is for the visitor it runs for (same user_id), else shuts down
//     and boots with the new settings (or anonymous ones when d is null).
func (ic *Intercom) Prepare(s Setup) (Script, error) {
	if err := ic.Validate(); err != nil {
		return Script{}, err
	}
	ic.macs.prepare(s.MemoSize, ic.Secret)
	ic.jwts.prepare(s.MemoSize)
	c := ic.config()
	return Script{
		Identify:  widgetBody(c, intercomBoot, `boot(s(d));`),
		Anonymous: widgetBody(c, intercomBoot, `boot(s(null));`),
		Reset:     widgetBody(c, intercomReboot, `reboot(s(null));`),
		Update: widgetBody(c, intercomBoot, intercomRebootFn, intercomUserFn,
			`var o=s(d),u=user(o);if(typeof w.Intercom!=="function"){boot(o)}`+
				`else if(u!==null&&u===user(w.intercomSettings)){w.intercomSettings=o;w.Intercom("update",o)}else{reboot(o)}`),
	}, nil
}

// Identify writes the visitor's identity settings: intercom_user_jwt
// (IntercomJWT), or user_id, email, name and user_hash (IntercomUserHash).
func (ic *Intercom) Identify(ctx context.Context, r Request, v Visitor, d *Data) error {
	if !ic.macs.ready() {
		return errNotPrepared
	}
	return ic.write(d, v, now(r))
}

// config is the data every page gets: the settings that boot an anonymous
// Messenger.
func (ic *Intercom) config() Object {
	return Object{{"app_id", ic.AppID}, {"api_base", ic.Region.APIBase()}, {"src", ic.scriptURL()}}
}

// write writes the identity settings for v, which the code merges into
// the configuration's.
func (ic *Intercom) write(s dataSink, v Visitor, now time.Time) error {
	if v.ID == "" {
		return ErrNoVisitorID
	}
	if ic.Mode == IntercomJWT {
		tok, err := ic.userJWT(v, now)
		if err != nil {
			return err
		}
		s.String("intercom_user_jwt", tok)
		return nil
	}
	userID, email := toValidUTF8(v.ID), toValidUTF8(v.Email)
	s.String("user_id", userID)
	if email != "" {
		s.String("email", email)
	}
	if v.Name != "" {
		s.String("name", toValidUTF8(v.Name))
	}
	s.String("user_hash", ic.macs.userHashHex(ic.Secret, userID, email))
	return nil
}

// userJWT returns the intercom_user_jwt for v: HS256 under Secret with
// user_id, email and name (when set) and exp = now + JWTTTL; a token signed
// earlier for the same claims is reused while half its lifetime remains.
func (ic *Intercom) userJWT(v Visitor, now time.Time) (string, error) {
	ttl := ic.JWTTTL
	if ttl == 0 {
		ttl = intercomDefaultTTL
	}
	id, email, name := toValidUTF8(v.ID), toValidUTF8(v.Email), toValidUTF8(v.Name)
	key := jwtKey(id, email, name)
	if tok, ok := ic.jwts.get(key, now, ttl); ok {
		return tok, nil
	}
	exp := now.Add(ttl)
	claims := jwt.MapClaims{"user_id": id, "exp": exp.Unix()}
	if email != "" {
		claims["email"] = email
	}
	if name != "" {
		claims["name"] = name
	}
	tok, err := intercomSign(ic.Secret, claims)
	if err != nil {
		return "", err
	}
	ic.jwts.put(key, tok, exp)
	return tok, nil
}

// intercomSign signs claims with HS256; the header is {"alg":"HS256","typ":"JWT"}.
func intercomSign(secret []byte, claims jwt.MapClaims) (string, error) {
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("intercom: signing intercom_user_jwt: %w", err)
	}
	return s, nil
}

// The Messenger's code. s merges d's fields into the settings; q defines
// Intercom's command queue, as Intercom's snippet does, unless Intercom is
// there; boot sets intercomSettings and loads the Messenger, which boots
// from them, or updates a Messenger already running (not a queue: the
// queue has a q array); reboot shuts the Messenger down and boots it with
// new settings.
const (
	intercomHelpers jsCode = jsOwnDecl +
		`function s(v){var o={app_id:c.app_id,api_base:c.api_base};if(v){for(var k in v){if(O(v,k)){o[k]=v[k]}}}return o}` +
		`function q(){var ic=w.Intercom;if(typeof ic!=="function"){var i=function(){i.c(arguments)};i.q=[];i.c=function(a){i.q.push(a)};w.Intercom=ic=i}return ic}`
	intercomBoot jsCode = intercomHelpers + jsLoadDecl +
		`function boot(o){w.intercomSettings=o;var ic=w.Intercom;if(typeof ic==="function"&&!ic.q){ic("update",o);return}` +
		`q();L(w.document,c.src)}`
	intercomRebootFn jsCode = `function reboot(o){w.intercomSettings=o;var ic=q();ic("shutdown");ic("boot",o)}`
	intercomReboot   jsCode = intercomHelpers + intercomRebootFn
	// intercomUserFn declares user(o): the user_id settings o are for, read
	// from user_id or from intercom_user_jwt's payload (not verified: it only
	// tells a fresh token for the same visitor from another visitor), or
	// null. atob yields the payload's UTF-8 bytes one per character, the
	// same string for the same bytes, which is all the comparison needs.
	intercomUserFn jsCode = `function user(o){if(!o){return null}if(typeof o.user_id==="string"){return o.user_id}` +
		`var t=o.intercom_user_jwt;if(typeof t!=="string"){return null}` +
		`try{var p=JSON.parse(w.atob(t.split(".")[1].replace(/-/g,"+").replace(/_/g,"/")));` +
		`return typeof p.user_id==="string"?p.user_id:null}catch(e){return null}}`
)

// scriptURL returns ScriptURL or the vendor's own.
func (ic *Intercom) scriptURL() string {
	if ic.ScriptURL != "" {
		return ic.ScriptURL
	}
	return "https://widget.intercom.io/widget/" + ic.AppID
}

// Keys returns Secret, for middleware.New's check that no key serves
// two purposes.
func (ic *Intercom) Keys() []Key {
	return []Key{{"Secret", ic.Secret}}
}
