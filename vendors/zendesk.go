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

// Validate reports the first configuration mistake as a *ConfigError.
func (z *Zendesk) Validate() error {
	if z.Flavor < ZendeskChatSDK || z.Flavor > ZendeskMessaging {
		return configErr(zendeskName, "Flavor", fmt.Sprintf("is %d, not a ZendeskFlavor constant", int(z.Flavor)))
	}
	if err := checkKey(zendeskName, "Secret", z.Secret); err != nil {
		return err
	}
	if z.Flavor == ZendeskMessaging && z.KeyID == "" {
		return configErr(zendeskName, "KeyID", "is empty; Messaging tokens need the key id")
	}
	if z.Flavor == ZendeskChatSDK && z.AccountKey == "" {
		return configErr(zendeskName, "AccountKey", "is empty; the Chat SDK needs the account key")
	}
	if z.SDKURL != "" {
		if err := checkScriptURL(zendeskName, "SDKURL", z.SDKURL); err != nil {
			return err
		}
	}
	switch {
	case z.TokenTTL < 0:
		return configErr(zendeskName, "TokenTTL", "is negative")
	case z.TokenTTL > zendeskMaxTTL:
		return configErr(zendeskName, "TokenTTL", "is longer than Zendesk's 7 minutes")
	case z.TokenTTL != 0 && z.TokenTTL < time.Second:
		return configErr(zendeskName, "TokenTTL", "is shorter than a second")
	}
	for _, o := range z.AllowedOrigins {
		if err := checkOrigin(zendeskName, "AllowedOrigins", o); err != nil {
			return err
		}
	}
	return nil
}

// Identify returns the flavour's script that hands the widget a function
// fetching tokens from the token endpoint. v is not in the script: the
// endpoint signs whoever the request's cookies say is signed in.
func (z *Zendesk) Identify(ctx context.Context, r Request, v Visitor) ([]byte, error) {
	if err := z.Validate(); err != nil {
		return nil, err
	}
	if v.ID == "" {
		return nil, ErrNoVisitorID
	}
	u, err := endpointURL(zendeskName, r, "token")
	if err != nil {
		return nil, err
	}
	s := &script{}
	switch z.Flavor {
	case ZendeskChatSDK:
		z.chatSDK(s, func(s *script) {
			s.code(`,authentication:{jwt_fn:`)
			jwtFn(s, u)
			s.code(`}`)
		})
	case ZendeskWebWidget:
		// Merged into any settings the page defined before this script.
		s.code(`(function(w){var z=w.zESettings=w.zESettings||{};var b=z.webWidget=z.webWidget||{};` +
			`var a=b.authenticate=b.authenticate||{};a.chat={jwtFn:`)
		jwtFn(s, u)
		s.code(`}})(window);` + "\n")
	case ZendeskMessaging:
		s.beginReady(`typeof w.zE==="function"`).code(`w.zE("messenger","loginUser",`)
		jwtFn(s, u)
		s.code(`)`).endReady()
	}
	return s.bytes()
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

// chatSDK writes the Chat SDK loader and its zChat.init call; auth, if not
// nil, writes the authentication property after account_key. The SDK is
// initialised at once if the page already has it.
func (z *Zendesk) chatSDK(s *script, auth func(*script)) {
	src := z.SDKURL
	if src == "" {
		src = ZendeskSDKURL
	}
	s.code(`(function(w,d){function i(){w.zChat.init({account_key:`).str(z.AccountKey)
	if auth != nil {
		auth(s)
	}
	s.code(`})}if(w.zChat){i();return}var e=d.createElement("script");e.async=true;e.src=`).url(src).
		code(`;e.onload=function(){if(w.zChat){i()}};(d.head||d.documentElement).appendChild(e)})(window,document);` + "\n")
}

// Anonymous loads and initialises the Chat SDK without authentication for
// ZendeskChatSDK, and returns nil for the other flavours, whose snippet the
// page carries itself.
func (z *Zendesk) Anonymous(ctx context.Context, r Request) ([]byte, error) {
	if err := z.Validate(); err != nil {
		return nil, err
	}
	if z.Flavor != ZendeskChatSDK {
		return nil, nil
	}
	s := &script{}
	z.chatSDK(s, nil)
	return s.bytes()
}

// Reset ends the widget's authenticated session after sign-out, once the
// widget's API is present: zE('webWidget','logout') for the Web Widget
// (Classic), zE('messenger','logoutUser') for Messaging, and zChat.logout()
// for the Chat SDK (unconfirmed by Zendesk's documentation).
func (z *Zendesk) Reset(ctx context.Context, r Request) ([]byte, error) {
	s := &script{}
	switch z.Flavor {
	case ZendeskChatSDK:
		s.beginReady(`w.zChat&&typeof w.zChat.logout==="function"`).code(`w.zChat.logout()`).endReady()
	case ZendeskWebWidget:
		s.beginReady(`typeof w.zE==="function"`).code(`w.zE("webWidget","logout")`).endReady()
	case ZendeskMessaging:
		s.beginReady(`typeof w.zE==="function"`).code(`w.zE("messenger","logoutUser")`).endReady()
	default:
		return nil, z.Validate()
	}
	return s.bytes()
}
