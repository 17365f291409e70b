package vendors

import (
	"context"
	"errors"
)

// Crisp identifies signed-in visitors to the Crisp chatbox with Crisp's
// identity verification and, optionally, session continuity:
//
//	window.$crisp = [];
//	window.CRISP_WEBSITE_ID = "<WebsiteID>";
//	window.CRISP_TOKEN_ID = "<64 hex>";                  // with TokenIDKey
//	$crisp.push(["set", "user:email", ["<email>", "<signature>"]]);
//	$crisp.push(["set", "user:nickname", ["<name>"]]);
//	$crisp.push(["set", "user:phone", ["<phone>"]]);
//	+ https://client.crisp.chat/l.js
//
// # Identity
//
// The signature is HMAC-SHA256(VerifySecret, email) in lowercase hex, over
// the e-mail exactly as sent: Crisp compares the bytes, so neither side
// lower-cases or trims it ("John@Doe.name" and "john@doe.name" have
// different signatures). Only the e-mail is verified; the nickname and
// phone are not signed. A visitor without an e-mail gets no user:email.
//
// CRISP_TOKEN_ID, sent when TokenIDKey is set, makes Crisp keep the
// visitor's conversations across browsers and devices. Crisp treats it as a
// bearer value: whoever presents it reads that session. It is therefore
// opaque and unguessable, HMAC-SHA256(TokenIDKey, ID) in hex, never an
// e-mail or a counter, and it must be set before l.js loads (the default
// placement does this).
//
// Anonymous visitors get the chatbox without identity. Reset after sign-out
// removes CRISP_TOKEN_ID and pushes ["do", "session:reset"], which Crisp
// runs when it loads. An in-place identity change pushes the new signed
// user:email; when CRISP_TOKEN_ID changes it is set first and followed by
// session:reset. All calls used here are documented by Crisp.
//
// # Secrets
//
// VerifySecret is the website's identity verification secret (Settings →
// Website settings → Identity verification), used as its bytes as Crisp
// shows it. TokenIDKey is the site's own key and must never change for the
// life of the integration: a new key gives every user a new token, cutting
// them off from their conversations. Neither reaches the browser, and they
// must differ.
//
// # Content Security Policy
//
// Crisp documents its hosts: script-src https://client.crisp.chat
// (https://*.crisp.chat); connect-src https://client.crisp.chat
// https://storage.crisp.chat wss://client.relay.crisp.chat
// wss://stream.relay.crisp.chat; img-src data: https://client.crisp.chat
// https://image.crisp.chat https://storage.crisp.chat; font-src and
// media-src https://client.crisp.chat; frame-src https://game.crisp.chat;
// worker-src blob: https://client.crisp.chat; style-src 'unsafe-inline'
// https://client.crisp.chat.
//
// Build the value once and do not change its fields after passing it to
// middleware.New: requests read it concurrently.
type Crisp struct {
	// WebsiteID is the website's id, a UUID, required.
	WebsiteID string
	// VerifySecret signs e-mails (required, at least 16 bytes).
	VerifySecret []byte
	// TokenIDKey, when set (at least 16 bytes, not VerifySecret), derives
	// CRISP_TOKEN_ID for session continuity. It must never change.
	TokenIDKey []byte
	// ScriptURL is the widget's script, https://client.crisp.chat/l.js
	// by default: set it only to serve the widget from elsewhere (a local
	// stand-in, a proxy). An absolute http(s) URL or a path on the site.
	ScriptURL string

	macs hmacStates // reused states under VerifySecret and TokenIDKey
}

const crispName = "crisp"

// Name returns "crisp".
func (c *Crisp) Name() string { return crispName }

// Validate reports every configuration mistake, each a *ConfigError,
// joined with errors.Join.
func (c *Crisp) Validate() error {
	var errs []error
	if c.WebsiteID == "" {
		errs = append(errs, configErr(crispName, "WebsiteID", "is empty"))
	} else if !isUUID(c.WebsiteID) {
		errs = append(errs, configErr(crispName, "WebsiteID", "is not a UUID such as 7598bf86-9ebb-46bc-8d61-be8929bbf93d"))
	}
	errs = append(errs, checkKey(crispName, "VerifySecret", c.VerifySecret))
	if c.TokenIDKey != nil {
		errs = append(errs, checkKey(crispName, "TokenIDKey", c.TokenIDKey),
			checkDistinctKeys(crispName, "TokenIDKey", c.TokenIDKey, "VerifySecret", c.VerifySecret))
	}
	if c.ScriptURL != "" {
		errs = append(errs, checkScriptURL(crispName, "ScriptURL", c.ScriptURL))
	}
	return errors.Join(errs...)
}

// Prepare checks the configuration, prepares the keyed states and returns
// the chatbox's constant code:
//
//   - Identify sets CRISP_TOKEN_ID (d.token_id, when sent), pushes the
//     signed user:email, user:nickname and user:phone, sets
//     CRISP_WEBSITE_ID and loads l.js;
//   - Anonymous sets CRISP_WEBSITE_ID and loads l.js;
//   - Reset removes CRISP_TOKEN_ID and pushes ["do", "session:reset"];
//   - Update sets a changed CRISP_TOKEN_ID followed by session:reset, then
//     pushes the new identity.
func (c *Crisp) Prepare(s Setup) (Script, error) {
	if err := c.Validate(); err != nil {
		return Script{}, err
	}
	c.macs.prepare(s.MemoSize, c.VerifySecret, c.TokenIDKey)
	cfg := c.config()
	return Script{
		Identify:  widgetBody(cfg, crispStart, crispSet, `token(d.token_id);set(d);start();`),
		Anonymous: widgetBody(cfg, crispStart, `start();`),
		Reset:     widgetBody(cfg, crispQueue, `token();q().push(["do","session:reset"]);`),
		Update: widgetBody(cfg, crispStart, crispSet,
			`var v=d||{};if(w.CRISP_TOKEN_ID!==(v.token_id||undefined)){token(v.token_id);q().push(["do","session:reset"])}set(v);if(!w.CRISP_WEBSITE_ID){start()}`),
	}, nil
}

// Identify writes token_id (with TokenIDKey), email and sig (for a
// visitor with an e-mail), nickname and phone.
func (c *Crisp) Identify(ctx context.Context, r Request, v Visitor, d *Data) error {
	if !c.macs.ready() {
		return errNotPrepared
	}
	return c.write(d, v)
}

// isUUID reports whether s is 8-4-4-4-12 hexadecimal digits.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			ch := s[i]
			if !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f' || ch >= 'A' && ch <= 'F') {
				return false
			}
		}
	}
	return true
}

func (c *Crisp) config() Object {
	return Object{{"website_id", c.WebsiteID}, {"src", c.scriptURL()}}
}

// write writes token_id (with TokenIDKey), email and sig (when v has an
// e-mail), nickname and phone.
func (c *Crisp) write(s dataSink, v Visitor) error {
	if v.ID == "" {
		return ErrNoVisitorID
	}
	if len(c.TokenIDKey) > 0 {
		s.String("token_id", opaqueID(&c.macs, c.TokenIDKey, v.ID))
	}
	if v.Email != "" {
		email := toValidUTF8(v.Email)
		s.String("email", email)
		s.String("sig", crispSignature(&c.macs, c.VerifySecret, email))
	}
	if v.Name != "" {
		s.String("nickname", toValidUTF8(v.Name))
	}
	if v.Phone != "" {
		s.String("phone", toValidUTF8(v.Phone))
	}
	return nil
}

// crispSignature is Crisp's user:email signature: HMAC-SHA256(secret,
// email) in lowercase hex, over the exact bytes given.
func crispSignature(m *hmacStates, secret []byte, email string) string {
	return m.hex(secret, email)
}

// The chatbox's code, through its $crisp queue, which Crisp runs when l.js
// loads and executes at once afterwards. token sets CRISP_TOKEN_ID, or
// removes it when t is empty.
const (
	crispQueue jsCode = `function q(){if(!w.$crisp){w.$crisp=[]}return w.$crisp}` +
		`function token(t){if(t){w.CRISP_TOKEN_ID=t}else{w.CRISP_TOKEN_ID=undefined;try{delete w.CRISP_TOKEN_ID}catch(e){}}}`
	crispStart jsCode = crispQueue + jsLoadDecl +
		`function start(){q();w.CRISP_WEBSITE_ID=c.website_id;L(w.document,c.src)}`
	crispSet jsCode = `function set(v){var p=q();if(v.email){p.push(["set","user:email",[v.email,v.sig]])}` +
		`if(v.nickname){p.push(["set","user:nickname",[v.nickname]])}if(v.phone){p.push(["set","user:phone",[v.phone]])}}`
)

// scriptURL returns ScriptURL or the vendor's own.
func (c *Crisp) scriptURL() string {
	if c.ScriptURL != "" {
		return c.ScriptURL
	}
	return "https://client.crisp.chat/l.js"
}

// Keys returns VerifySecret and TokenIDKey, for middleware.New's check that no key serves
// two purposes.
func (c *Crisp) Keys() []Key {
	return []Key{{"VerifySecret", c.VerifySecret}, {"TokenIDKey", c.TokenIDKey}}
}
