package vendors

import (
	"context"
	"errors"
)

// Front identifies signed-in visitors to Front Chat with its identity
// verification:
//
//	FrontChat("init", {"chatId": "<ChatID>", "useDefaultLauncher": true,
//	    "userId": "…", "userHash": "<64 hex>", "email": "…", "name": "…",
//	    "customFields": {…}});
//
// once Front's script (https://chat-assets.frontapp.com/v1/chat.bundle.js,
// added unless the page has it) has defined FrontChat.
//
// # Identity
//
// userHash is HMAC-SHA256(VerificationSecret, userId) in lowercase hex when
// a userId is sent, else of the e-mail; chatident always sends the
// visitor's ID as userId, so the identity Front trusts is the site's user
// id, not an e-mail the user may change. name, email and customFields (the
// Visitor's Attributes) are not signed.
//
// Anonymous visitors get init with chatId alone. Reset after sign-out calls
// FrontChat("shutdown", {clearSession: true}): a plain shutdown would resume
// the previous conversation. An in-place identity change shuts down with
// clearSession and calls init with the new identity (init may run again
// only after shutdown). All calls used here are documented by Front.
//
// # Secrets
//
// VerificationSecret is the chat channel's identity verification secret,
// used as its bytes as Front shows it. It never reaches the browser.
//
// # Content Security Policy
//
// Front does not document the hosts its chat needs.
//
// Build the value once and do not change its fields after passing it to
// middleware.New: requests read it concurrently.
type Front struct {
	// ChatID is the chat channel's chatId, required.
	ChatID string
	// VerificationSecret signs user ids (required, at least 16 bytes).
	VerificationSecret []byte
	// ScriptURL is the widget's script, https://chat-assets.frontapp.com/v1/chat.bundle.js
	// by default: set it only to serve the widget from elsewhere (a local
	// stand-in, a proxy). An absolute http(s) URL or a path on the site.
	ScriptURL string

	macs hmacStates // reused states under VerificationSecret
}

const frontName = "front"

// Name returns "front".
func (f *Front) Name() string { return frontName }

// Validate reports every configuration mistake, each a *ConfigError,
// joined with errors.Join.
func (f *Front) Validate() error {
	errs := []error{
		checkID(frontName, "ChatID", f.ChatID, 128, "_-"),
		checkKey(frontName, "VerificationSecret", f.VerificationSecret),
	}
	if f.ScriptURL != "" {
		errs = append(errs, checkScriptURL(frontName, "ScriptURL", f.ScriptURL))
	}
	return errors.Join(errs...)
}

// Prepare checks the configuration, prepares the keyed state and returns
// the chat's constant code:
//
//   - Identify loads Front's script and, once FrontChat exists, calls
//     FrontChat('init', {chatId, useDefaultLauncher: true, …d});
//   - Anonymous does the same without identity;
//   - Reset calls FrontChat('shutdown', {clearSession: true});
//   - Update, on a running chat, shuts down with clearSession and calls
//     init with the new identity (or none when d is null).
func (f *Front) Prepare(s Setup) (Script, error) {
	if err := f.Validate(); err != nil {
		return Script{}, err
	}
	f.macs.prepare(s.MemoSize, f.VerificationSecret)
	c := f.config()
	return Script{
		Identify:  widgetBody(c, frontInit, `init(d);`),
		Anonymous: widgetBody(c, frontInit, `init(null);`),
		Reset:     widgetBody(c, frontHas, `R(has,function(){w.FrontChat("shutdown",{clearSession:true})});`),
		Update: widgetBody(c, frontInit,
			`if(has()){w.FrontChat("shutdown",{clearSession:true});w.FrontChat("init",opts(d))}else{init(d)}`),
	}, nil
}

// Identify writes init's identity options: userId, userHash, email, name,
// customFields.
func (f *Front) Identify(ctx context.Context, r Request, v Visitor, d *Data) error {
	if !f.macs.ready() {
		return errNotPrepared
	}
	return f.write(d, v)
}

func (f *Front) config() Object {
	return Object{{"chat_id", f.ChatID}, {"src", f.scriptURL()}}
}

// write writes init's identity options: userId, userHash, email, name,
// customFields.
func (f *Front) write(s dataSink, v Visitor) error {
	if v.ID == "" {
		return ErrNoVisitorID
	}
	userID, email := toValidUTF8(v.ID), toValidUTF8(v.Email)
	s.String("userId", userID)
	s.String("userHash", f.macs.userHashHex(f.VerificationSecret, userID, email))
	if email != "" {
		s.String("email", email)
	}
	if v.Name != "" {
		s.String("name", toValidUTF8(v.Name))
	}
	if len(v.Attributes) > 0 {
		s.Value("customFields", v.Attributes)
	}
	return nil
}

// The chat's code, through FrontChat, which Front's script defines when it
// loads (there is no queue before that).
const (
	frontHas  jsCode = jsReadyDecl + `function has(){return typeof w.FrontChat==="function"}`
	frontInit jsCode = frontHas + jsLoadDecl + jsOwnDecl +
		`function opts(v){var o={chatId:c.chat_id,useDefaultLauncher:true};if(v){for(var k in v){if(O(v,k)){o[k]=v[k]}}}return o}` +
		`function init(v){L(w.document,c.src);R(has,function(){w.FrontChat("init",opts(v))})}`
)

// scriptURL returns ScriptURL or the vendor's own.
func (f *Front) scriptURL() string {
	if f.ScriptURL != "" {
		return f.ScriptURL
	}
	return "https://chat-assets.frontapp.com/v1/chat.bundle.js"
}

// Keys returns VerificationSecret, for middleware.New's check that no key serves
// two purposes.
func (f *Front) Keys() []Key {
	return []Key{{"VerificationSecret", f.VerificationSecret}}
}
