package vendors

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Zendesk identifies signed-in visitors to Zendesk's chat with short-lived
// JWTs that the site issues from its own token endpoint (see Endpoints). The
// page never holds a token until the widget asks for one, and asks again
// whenever it needs a new one.
//
// # Identity
//
// Three widget flavours share the token endpoint; Flavor picks the script:
//
//   - ZendeskChatSDK (default): loads the Chat Web SDK (SDKURL), then
//     zChat.init({account_key, authentication: {jwt_fn}}).
//   - ZendeskWebWidget, the Web Widget (Classic): sets
//     window.zESettings.webWidget.authenticate.chat.jwtFn, before the
//     page's ze-snippet script.
//   - ZendeskMessaging, the Messaging Web Widget: zE('messenger',
//     'loginUser', jwtFn) once zE is present.
//
// Each jwt function fetches Endpoints+"token" on the page's own origin
// (built from location.href, so a <base href> in the page cannot move it)
// with the visitor's cookies and hands the token to the widget. Chat tokens carry name (Name, else Email),
// email, external_id (ID), iat, exp and a random jti; Messaging tokens carry
// the kid header and scope "user", external_id, name, email, email_verified
// and exp. Zendesk needs a name and an e-mail to show a Chat visitor;
// visitors without them are sent without those claims.
//
// Anonymous visitors: the Chat SDK is loaded and initialised without
// authentication; the other flavours need nothing from the site.
//
// # Secrets
//
// Secret is the shared secret from Zendesk (Chat: Settings → Widget → Widget
// security → Visitor Authentication; Messaging: the signing key's secret,
// with KeyID its id). It never reaches the browser; tokens live TokenTTL,
// five minutes by default and never more than seven (Zendesk's limit).
//
// # Security notes
//
// The token endpoint is a same-origin API by default: a request the browser
// marks Sec-Fetch-Site: cross-site is refused with 403, unless its Origin is
// listed in AllowedOrigins, which then gets credentialed CORS for that
// origin alone. Never list an origin you do not control.
type Zendesk struct {
	// Flavor is the widget in use; ZendeskChatSDK by default.
	Flavor ZendeskFlavor
	// Secret signs tokens (required, at least 16 bytes).
	Secret []byte
	// KeyID is the signing key's id, sent as the token's kid header
	// (required for ZendeskMessaging, unused otherwise).
	KeyID string
	// AccountKey is the Chat account key (required for ZendeskChatSDK).
	AccountKey string
	// SDKURL is the Chat Web SDK script; ZendeskSDKURL by default.
	SDKURL string
	// TokenTTL is how long a token is valid; five minutes by default, at
	// least a second and at most seven minutes.
	TokenTTL time.Duration
	// AllowedOrigins are origins ("https://shop.example.com") whose pages may
	// fetch tokens cross-origin with the visitor's cookies. Never "*".
	AllowedOrigins []string
}

// ZendeskFlavor is the Zendesk chat widget a page uses.
type ZendeskFlavor int

const (
	// ZendeskChatSDK is the Chat Web SDK with a custom UI (zChat).
	ZendeskChatSDK ZendeskFlavor = iota
	// ZendeskWebWidget is the Web Widget (Classic) with Chat (zESettings).
	ZendeskWebWidget
	// ZendeskMessaging is the Messaging Web Widget (zE('messenger', …)).
	ZendeskMessaging
)

// String returns the flavour's name.
func (f ZendeskFlavor) String() string {
	switch f {
	case ZendeskChatSDK:
		return "chat-sdk"
	case ZendeskWebWidget:
		return "web-widget"
	case ZendeskMessaging:
		return "messaging"
	}
	return "ZendeskFlavor(" + strconv.Itoa(int(f)) + ")"
}

// ZendeskSDKURL is the public URL of the Zendesk Chat Web SDK.
const ZendeskSDKURL = "https://dev.zopim.com/web-sdk/latest/web-sdk.js"

const (
	zendeskName       = "zendesk"
	zendeskDefaultTTL = 5 * time.Minute
	// zendeskMaxTTL is Zendesk's limit on exp - iat.
	zendeskMaxTTL = 7 * time.Minute
)

// Name returns "zendesk".
func (z *Zendesk) Name() string { return zendeskName }

// Validate reports every configuration mistake, each a *ConfigError.
func (z *Zendesk) Validate() error {
	var errs configErrors
	if z.Flavor < ZendeskChatSDK || z.Flavor > ZendeskMessaging {
		errs.add(zendeskName, "Flavor", fmt.Sprintf("is %d, not a ZendeskFlavor constant", int(z.Flavor)))
	}
	errs.key(zendeskName, "Secret", z.Secret)
	if z.Flavor == ZendeskMessaging && z.KeyID == "" {
		errs.add(zendeskName, "KeyID", "is empty; Messaging tokens need the key id")
	}
	if z.Flavor == ZendeskChatSDK && z.AccountKey == "" {
		errs.add(zendeskName, "AccountKey", "is empty; the Chat SDK needs the account key")
	}
	if z.SDKURL != "" {
		errs.scriptURL(zendeskName, "SDKURL", z.SDKURL)
	}
	switch {
	case z.TokenTTL < 0:
		errs.add(zendeskName, "TokenTTL", "is negative")
	case z.TokenTTL > zendeskMaxTTL:
		errs.add(zendeskName, "TokenTTL", "is longer than Zendesk's 7 minutes")
	case z.TokenTTL != 0 && z.TokenTTL < time.Second:
		errs.add(zendeskName, "TokenTTL", "is shorter than a second")
	}
	for _, o := range z.AllowedOrigins {
		errs.addErr(checkOrigin(zendeskName, "AllowedOrigins", o))
	}
	return errs.join()
}

// Prepare checks the configuration and returns the flavour's constant code.
// No visitor value is in the page: the jwt function fetches a token from
// the token endpoint (Setup.Endpoints+"token"), which signs whoever the
// request's cookies say is signed in, so Identify writes nothing.
//
//   - Identify hands the widget that function (see Zendesk);
//   - Anonymous loads and initialises the Chat SDK without authentication
//     for ZendeskChatSDK, and is empty for the other flavours, whose snippet
//     the page carries itself;
//   - Reset ends the widget's authenticated session once the widget's API is
//     present: zE('webWidget','logout') for the Web Widget (Classic),
//     zE('messenger','logoutUser') for Messaging, and zChat.logout() for the
//     Chat SDK (unconfirmed by Zendesk's documentation);
//   - Update logs the new visitor in, or out when d is null: Messaging with
//     zE('messenger','loginUser', jwtFn) or zE('messenger','logoutUser'); the
//     Web Widget (Classic) with zE('webWidget','updateSettings', …) and
//     zE('webWidget','chat:reauthenticate') or zE('webWidget','logout'). The
//     Chat SDK has no documented way to change visitor in place: its Update
//     is empty.
func (z *Zendesk) Prepare(s Setup) (Script, error) {
	if err := z.Validate(); err != nil {
		return Script{}, err
	}
	if err := checkEndpoints(zendeskName, s); err != nil {
		return Script{}, err
	}
	u := s.Endpoints + "token"
	var id, anon, reset, update script
	switch z.Flavor {
	case ZendeskChatSDK:
		// One function for both: with data (a visitor) it authenticates.
		z.chatSDK(&id, u)
		anon = id
		reset.beginReady(`w.zChat&&typeof w.zChat.logout==="function"`).code(`w.zChat.logout()`).endReady()
	case ZendeskWebWidget:
		// Merged into any settings the page defined before this script.
		id.code(`(function(w){var z=w.zESettings=w.zESettings||{};var b=z.webWidget=z.webWidget||{};` +
			`var a=b.authenticate=b.authenticate||{};a.chat={jwtFn:`)
		jwtFn(&id, u)
		id.code(`}})(window);` + "\n")
		reset.beginReady(`typeof w.zE==="function"`).code(`w.zE("webWidget","logout")`).endReady()
		update.beginReady(`typeof w.zE==="function"`).code(`if(!d){w.zE("webWidget","logout");return true}` +
			`w.zE("webWidget","updateSettings",{webWidget:{authenticate:{chat:{jwtFn:`)
		jwtFn(&update, u)
		update.code(`}}}});w.zE("webWidget","chat:reauthenticate")`).endReady()
	case ZendeskMessaging:
		id.beginReady(`typeof w.zE==="function"`).code(`w.zE("messenger","loginUser",`)
		jwtFn(&id, u)
		id.code(`)`).endReady()
		reset.beginReady(`typeof w.zE==="function"`).code(`w.zE("messenger","logoutUser")`).endReady()
		update.beginReady(`typeof w.zE==="function"`).code(`if(!d){w.zE("messenger","logoutUser");return true}` +
			`w.zE("messenger","loginUser",`)
		jwtFn(&update, u)
		update.code(`)`).endReady()
	}
	return Script{Identify: id.text(), Anonymous: anon.text(), Reset: reset.text(), Update: update.text()}, nil
}

// Identify writes nothing: the token endpoint, not the page, carries the
// visitor (see Prepare). It fails only for a visitor without an ID.
func (z *Zendesk) Identify(ctx context.Context, r Request, v Visitor, d *Data) error {
	if v.ID == "" {
		return ErrNoVisitorID
	}
	return nil
}

// jwtFn writes the function each flavour is given: it fetches a token with
// the visitor's cookies and passes it to the widget's callback. On failure
// the callback is not called and the widget stays unauthenticated.
func jwtFn(s *script, tokenURL string) {
	s.code(`function(cb){fetch(`).url(tokenURL).
		code(`,{credentials:"include",headers:{"Accept":"application/json"}}).then(function(r){` +
			`if(!r.ok){throw new Error("zendesk token: HTTP "+r.status)}return r.json()})` +
			`.then(function(j){cb(j.token)})["catch"](function(){})}`)
}

// chatSDK writes the Chat SDK loader and its zChat.init call: with the
// page data of a visitor (d not null) the authentication property follows
// account_key, with jwt_fn fetching tokenURL; without, none. The SDK is
// initialised at once if the page already has it.
func (z *Zendesk) chatSDK(s *script, tokenURL string) {
	src := z.SDKURL
	if src == "" {
		src = ZendeskSDKURL
	}
	s.code(`(function(w,doc,v){function i(){w.zChat.init(v?{account_key:`).str(z.AccountKey).
		code(`,authentication:{jwt_fn:`)
	jwtFn(s, tokenURL)
	s.code(`}}:{account_key:`).str(z.AccountKey).
		code(`})}if(w.zChat){i();return}var e=doc.createElement("script");e.async=true;e.src=`).url(src).
		code(`;e.onload=function(){if(w.zChat){i()}};(doc.head||doc.documentElement).appendChild(e)})(window,document,d);` + "\n")
}
