package vendors

import (
	"context"
	"errors"
)

// TawkTo identifies signed-in visitors to the tawk.to widget with its
// Secure Mode.
//
// # Identity
//
// A visitor with an e-mail gets, before the embed script
// (https://embed.tawk.to/<PropertyID>/<WidgetID>) downloads:
//
//	window.Tawk_API.visitor = {"name": "…", "email": "…", "hash": "<64 hex>"};
//
// where hash is HMAC-SHA256(APIKey, email) in lowercase hex, over the
// e-mail exactly as sent. A visitor without an e-mail is logged in after
// the widget loads with Tawk_API.login({userId, hash, name}), hash being
// HMAC-SHA256(APIKey, userId); userId is the visitor's ID.
//
// Anonymous visitors get the widget without identity. An in-place identity
// change calls Tawk_API.setAttributes({name, email, hash}) (or login) once
// the widget has loaded.
//
// Reset after sign-out calls Tawk_API.logout once the widget has loaded.
// Unconfirmed: logout appears only in third-party code, not in tawk.to's
// JavaScript API documentation; the script calls it only when the widget
// defines it.
//
// # Secrets
//
// APIKey is the property's JavaScript API key (Administration → Property
// Settings → JavaScript API key), used as its bytes as tawk.to shows it. It
// never reaches the browser.
//
// # Content Security Policy
//
// tawk.to does not document the hosts its widget needs.
//
// Build the value once and do not change its fields after passing it to
// middleware.New: requests read it concurrently.
type TawkTo struct {
	// PropertyID is the property id from the embed URL, required.
	PropertyID string
	// WidgetID is the widget id from the embed URL; "default" by default.
	WidgetID string
	// APIKey is the JavaScript API key that signs identities (required, at
	// least 16 bytes).
	APIKey []byte
	// ScriptURL is the widget's script, https://embed.tawk.to/<PropertyID>/<WidgetID>
	// by default: set it only to serve the widget from elsewhere (a local
	// stand-in, a proxy). An absolute http(s) URL or a path on the site.
	ScriptURL string

	macs hmacStates // reused states under APIKey
}

const tawkToName = "tawkto"

// Name returns "tawkto".
func (tk *TawkTo) Name() string { return tawkToName }

// Validate reports every configuration mistake, each a *ConfigError,
// joined with errors.Join.
func (tk *TawkTo) Validate() error {
	errs := []error{
		checkID(tawkToName, "PropertyID", tk.PropertyID, 64, ""),
		checkKey(tawkToName, "APIKey", tk.APIKey),
	}
	if tk.WidgetID != "" {
		errs = append(errs, checkID(tawkToName, "WidgetID", tk.WidgetID, 64, "_-"))
	}
	if tk.ScriptURL != "" {
		errs = append(errs, checkScriptURL(tawkToName, "ScriptURL", tk.ScriptURL))
	}
	return errors.Join(errs...)
}

// Prepare checks the configuration, prepares the keyed state and returns
// the widget's constant code:
//
//   - Identify sets Tawk_API.visitor (d.visitor) before the embed script,
//     or logs in with d.login once the widget has loaded, and loads the
//     embed script;
//   - Anonymous loads the embed script;
//   - Reset removes Tawk_API.visitor and calls Tawk_API.logout once the
//     widget has loaded (unconfirmed: see the type's documentation);
//   - Update calls Tawk_API.setAttributes(d.visitor) or login(d.login) on a
//     loaded widget (the reset has logged out a visitor now anonymous).
func (tk *TawkTo) Prepare(s Setup) (Script, error) {
	if err := tk.Validate(); err != nil {
		return Script{}, err
	}
	tk.macs.prepare(s.MemoSize, tk.APIKey)
	c := tk.config()
	return Script{
		Identify:  widgetBody(c, tawkToStart, tawkToIdentify, `identify(d);`),
		Anonymous: widgetBody(c, tawkToStart, `start();`),
		Reset:     widgetBody(c, tawkToAPI, `try{delete api().visitor}catch(e){}ready(function(a){if(typeof a.logout==="function"){a.logout(nop)}});`),
		Update: widgetBody(c, tawkToStart, tawkToIdentify,
			`if(!d){return}if(!w.Tawk_LoadStart){identify(d);return}`+
				`if(d.visitor){api().visitor=d.visitor;ready(function(a){a.setAttributes(d.visitor,nop)})}else if(d.login){login(d.login)}`),
	}, nil
}

// Identify writes {"visitor": {name, email, hash}} for a visitor with an
// e-mail, else {"login": {userId, hash, name}}.
func (tk *TawkTo) Identify(ctx context.Context, r Request, v Visitor, d *Data) error {
	if !tk.macs.ready() {
		return errNotPrepared
	}
	return tk.write(d, v)
}

func (tk *TawkTo) config() Object {
	return Object{{"src", tk.scriptURL()}}
}

func (tk *TawkTo) widgetID() string {
	if tk.WidgetID == "" {
		return "default"
	}
	return tk.WidgetID
}

// write writes {"visitor": {name, email, hash}} for a visitor with an
// e-mail, else {"login": {userId, hash, name}}.
func (tk *TawkTo) write(s dataSink, v Visitor) error {
	if v.ID == "" {
		return ErrNoVisitorID
	}
	if v.Email != "" {
		email := toValidUTF8(v.Email)
		s.Object("visitor")
		if v.Name != "" {
			s.String("name", toValidUTF8(v.Name))
		}
		s.String("email", email)
		s.String("hash", tawkToHash(&tk.macs, tk.APIKey, email))
		s.End()
		return nil
	}
	id := toValidUTF8(v.ID)
	s.Object("login")
	s.String("userId", id)
	s.String("hash", tawkToHash(&tk.macs, tk.APIKey, id))
	if v.Name != "" {
		s.String("name", toValidUTF8(v.Name))
	}
	s.End()
	return nil
}

// tawkToHash is Secure Mode's hash: HMAC-SHA256(key, message) in lowercase
// hex, where message is the e-mail (visitor, setAttributes) or the userId
// (login), exactly as sent.
func tawkToHash(m *hmacStates, key []byte, message string) string {
	return m.hex(key, message)
}

// The widget's code, through window.Tawk_API. ready runs f once the
// widget's API is there: at once when it is, else from Tawk_API.onLoad,
// keeping any onLoad the page set.
const (
	tawkToAPI jsCode = `function api(){if(!w.Tawk_API){w.Tawk_API={}}return w.Tawk_API}function nop(){}` +
		`function ready(f){var a=api();if(typeof a.setAttributes==="function"){f(a);return}` +
		`var p=a.onLoad;a.onLoad=function(){if(typeof p==="function"){p.apply(this,arguments)}f(api())}}` +
		`function login(l){ready(function(a){if(typeof a.login==="function"){a.login(l,nop)}})}`
	tawkToStart jsCode = tawkToAPI + jsLoadDecl +
		`function start(){api();w.Tawk_LoadStart=new Date();` +
		`L(w.document,c.src)}`
	tawkToIdentify jsCode = `function identify(v){if(v.visitor){api().visitor=v.visitor}else if(v.login){login(v.login)}start()}`
)

// scriptURL returns ScriptURL or the vendor's own.
func (tk *TawkTo) scriptURL() string {
	if tk.ScriptURL != "" {
		return tk.ScriptURL
	}
	return "https://embed.tawk.to/" + tk.PropertyID + "/" + tk.widgetID()
}

// Keys returns APIKey, for middleware.New's check that no key serves
// two purposes.
func (tk *TawkTo) Keys() []Key {
	return []Key{{"APIKey", tk.APIKey}}
}
