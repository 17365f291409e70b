package vendors

import (
	"context"
	"errors"
	"strings"
)

// Chatwoot identifies signed-in visitors to a Chatwoot website inbox with
// its identity validation:
//
//	window.$chatwoot.setUser("<identifier>", {"email": "…", "name": "…",
//	    "avatar_url": "…", "phone_number": "…", "identifier_hash": "<64 hex>"});
//
// called once Chatwoot fires chatwoot:ready (at once when it already has).
// The SDK (<BaseURL>/packs/js/sdk.js) is loaded and started with
// chatwootSDK.run({websiteToken, baseUrl}) unless the page already has it.
//
// # Identity
//
// identifier is the visitor's ID; identifier_hash is HMAC-SHA256(HMACToken,
// identifier) in lowercase hex, keyed by the token and over the identifier
// (an old sample in Chatwoot's documentation swapped the two: that form is
// never produced). Only the identifier is signed: name, e-mail, avatar and
// phone are not.
//
// Anonymous visitors get the widget without identity. Reset after sign-out
// calls $chatwoot.reset() once the widget is ready. An in-place identity
// change calls reset() then setUser with the new identity, directly, since
// chatwoot:ready does not fire again after a reset. All calls used here are
// documented by Chatwoot.
//
// # Secrets
//
// HMACToken is the inbox's identity validation token (Inbox → Settings →
// Configuration → Identity Validation), used as its bytes as Chatwoot shows
// it. It never reaches the browser.
//
// # Content Security Policy
//
// Chatwoot does not document the hosts its widget needs; a self-hosted
// Chatwoot serves everything from BaseURL.
//
// Build the value once and do not change its fields after passing it to
// middleware.New: requests read it concurrently.
type Chatwoot struct {
	// BaseURL is the Chatwoot installation, such as
	// "https://app.chatwoot.com" (https; http only for localhost), required.
	BaseURL string
	// WebsiteToken is the website inbox's token, required.
	WebsiteToken string
	// HMACToken signs identifiers (required, at least 16 bytes).
	HMACToken []byte
	// ScriptURL is the widget's script, <BaseURL>/packs/js/sdk.js
	// by default: set it only to serve the widget from elsewhere (a local
	// stand-in, a proxy). An absolute http(s) URL or a path on the site.
	ScriptURL string

	macs hmacStates // reused states under HMACToken
}

const chatwootName = "chatwoot"

// Name returns "chatwoot".
func (cw *Chatwoot) Name() string { return chatwootName }

// Validate reports every configuration mistake, each a *ConfigError,
// joined with errors.Join.
func (cw *Chatwoot) Validate() error {
	var errs []error
	if cw.BaseURL == "" {
		errs = append(errs, configErr(chatwootName, "BaseURL", "is empty"))
	} else {
		errs = append(errs, checkBaseURL(chatwootName, "BaseURL", cw.BaseURL))
	}
	errs = append(errs, checkID(chatwootName, "WebsiteToken", cw.WebsiteToken, 128, "_-"),
		checkKey(chatwootName, "HMACToken", cw.HMACToken))
	if cw.ScriptURL != "" {
		errs = append(errs, checkScriptURL(chatwootName, "ScriptURL", cw.ScriptURL))
	}
	return errors.Join(errs...)
}

// Prepare checks the configuration, prepares the keyed state and returns
// the widget's constant code:
//
//   - Identify loads the SDK, runs it, and calls $chatwoot.setUser(
//     d.identifier, d.user) once chatwoot:ready has fired;
//   - Anonymous loads and runs the SDK;
//   - Reset calls $chatwoot.reset() once the widget is ready;
//   - Update, on a ready widget, calls reset() then setUser with the new
//     identity directly (chatwoot:ready does not fire again).
func (cw *Chatwoot) Prepare(s Setup) (Script, error) {
	if err := cw.Validate(); err != nil {
		return Script{}, err
	}
	cw.macs.prepare(s.MemoSize, cw.HMACToken)
	c := cw.config()
	return Script{
		Identify:  widgetBody(c, chatwootStart, chatwootIdentify, `identify(d);`),
		Anonymous: widgetBody(c, chatwootStart, `start();`),
		Reset:     widgetBody(c, chatwootReady, `ready(function(cw){cw.reset()});`),
		Update: widgetBody(c, chatwootStart, chatwootIdentify,
			`if(!d){return}var cw=w.$chatwoot;if(cw&&cw.hasLoaded){cw.reset();cw.setUser(d.identifier,d.user)}else{identify(d)}`),
	}, nil
}

// Identify writes {identifier, user: {email, name, avatar_url,
// phone_number, identifier_hash}}, empty values left out.
func (cw *Chatwoot) Identify(ctx context.Context, r Request, v Visitor, d *Data) error {
	if !cw.macs.ready() {
		return errNotPrepared
	}
	return cw.write(d, v)
}

func (cw *Chatwoot) config() Object {
	return Object{{"base_url", strings.TrimRight(cw.BaseURL, "/")}, {"website_token", cw.WebsiteToken}, {"src", cw.scriptURL()}}
}

// write writes {identifier, user: {email, name, avatar_url, phone_number,
// identifier_hash}}, empty values left out.
func (cw *Chatwoot) write(s dataSink, v Visitor) error {
	if v.ID == "" {
		return ErrNoVisitorID
	}
	id := toValidUTF8(v.ID)
	s.String("identifier", id)
	s.Object("user")
	for _, f := range [...]struct{ key, value string }{{"email", v.Email}, {"name", v.Name}, {"avatar_url", v.AvatarURL}, {"phone_number", v.Phone}} {
		if f.value != "" {
			s.String(f.key, toValidUTF8(f.value))
		}
	}
	s.String("identifier_hash", chatwootIdentifierHash(&cw.macs, cw.HMACToken, id))
	s.End()
	return nil
}

// chatwootIdentifierHash is HMAC-SHA256 keyed by hmacToken over identifier,
// lowercase hex.
func chatwootIdentifierHash(m *hmacStates, hmacToken []byte, identifier string) string {
	return m.hex(hmacToken, identifier)
}

// The widget's code, through window.$chatwoot, which has hasLoaded set
// once chatwoot:ready has fired.
const (
	chatwootReady jsCode = `function ready(f){var cw=w.$chatwoot;if(cw&&cw.hasLoaded){f(cw);return}if(!w.addEventListener){return}` +
		`var g=function(){if(w.removeEventListener){w.removeEventListener("chatwoot:ready",g)}if(w.$chatwoot){f(w.$chatwoot)}};` +
		`w.addEventListener("chatwoot:ready",g)}`
	chatwootStart jsCode = chatwootReady + jsLoadDecl +
		`function start(){if(!w.chatwootSettings){w.chatwootSettings={}}var b=c.base_url;` +
		`L(w.document,c.src,function(){if(w.chatwootSDK){w.chatwootSDK.run({websiteToken:c.website_token,baseUrl:b})}})}`
	chatwootIdentify jsCode = `function identify(v){ready(function(cw){cw.setUser(v.identifier,v.user)});start()}`
)

// scriptURL returns ScriptURL or the vendor's own.
func (cw *Chatwoot) scriptURL() string {
	if cw.ScriptURL != "" {
		return cw.ScriptURL
	}
	return strings.TrimRight(cw.BaseURL, "/") + "/packs/js/sdk.js"
}

// Keys returns HMACToken, for middleware.New's check that no key serves
// two purposes.
func (cw *Chatwoot) Keys() []Key {
	return []Key{{"HMACToken", cw.HMACToken}}
}
