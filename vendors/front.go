package vendors

import (
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

	macs hmacStates // reused states under VerificationSecret
}

const frontName = "front"

// Name returns "front".
func (f *Front) Name() string { return frontName }

// Validate reports every configuration mistake, each a *ConfigError,
// joined with errors.Join.
func (f *Front) Validate() error {
	if err := errors.Join(
		checkID(frontName, "ChatID", f.ChatID, 128, "_-"),
		checkKey(frontName, "VerificationSecret", f.VerificationSecret),
	); err != nil {
		return err
	}
	f.macs.prepare(f.VerificationSecret)
	return nil
}

func (f *Front) config() Object {
	return Object{{"chat_id", f.ChatID}}
}

// visitorData returns init's identity options: userId, userHash, email,
// name, customFields.
func (f *Front) visitorData(v Visitor) (Object, error) {
	if v.ID == "" {
		return nil, ErrNoVisitorID
	}
	userID, email := toValidUTF8(v.ID), toValidUTF8(v.Email)
	d := Object{{"userId", userID}, {"userHash", frontUserHash(&f.macs, f.VerificationSecret, userID, email)}}
	if email != "" {
		d = append(d, Field{"email", email})
	}
	if v.Name != "" {
		d = append(d, Field{"name", toValidUTF8(v.Name)})
	}
	if len(v.Attributes) > 0 {
		d = append(d, Field{"customFields", v.Attributes})
	}
	return d, nil
}

// frontUserHash is Front's userHash: HMAC-SHA256(secret, userID) when
// userID is not empty, else HMAC-SHA256(secret, email), lowercase hex.
func frontUserHash(m *hmacStates, secret []byte, userID, email string) string {
	if userID != "" {
		return m.hex(secret, userID)
	}
	return m.hex(secret, email)
}

// frontCode applies the data through FrontChat, which Front's script
// defines when it loads (there is no queue before that).
const frontCode jsCode = `(function(){var L=` + jsLoad + `,R=` + jsReady + `,O=` + jsOwn + `;` +
	`var U="https://chat-assets.frontapp.com/v1/chat.bundle.js";` +
	`function has(w){return function(){return typeof w.FrontChat==="function"}}` +
	`function opts(c,v){var o={chatId:c.chat_id,useDefaultLauncher:true};if(v){for(var k in v){if(O(v,k)){o[k]=v[k]}}}return o}` +
	`function init(w,c,v){L(w.document,U);R(w,has(w),function(){w.FrontChat("init",opts(c,v))})}` +
	`return {identify:function(w,c,v){init(w,c,v)},` +
	`anonymous:function(w,c){init(w,c)},` +
	`reset:function(w,c){R(w,has(w),function(){w.FrontChat("shutdown",{clearSession:true})})},` +
	`update:function(w,c,v){if(typeof w.FrontChat==="function"){w.FrontChat("shutdown",{clearSession:true});w.FrontChat("init",opts(c,v))}else{init(w,c,v)}}}})()`
