package vendors

import (
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
	if err := errors.Join(errs...); err != nil {
		return err
	}
	tk.macs.prepare(tk.APIKey)
	return nil
}

func (tk *TawkTo) config() Object {
	w := tk.WidgetID
	if w == "" {
		w = "default"
	}
	return Object{{"property_id", tk.PropertyID}, {"widget_id", w}}
}

// visitorData returns {"visitor": {name, email, hash}} for a visitor with an
// e-mail, else {"login": {userId, hash, name}}.
func (tk *TawkTo) visitorData(v Visitor) (Object, error) {
	if v.ID == "" {
		return nil, ErrNoVisitorID
	}
	var o Object
	if v.Name != "" {
		o = append(o, Field{"name", toValidUTF8(v.Name)})
	}
	if v.Email != "" {
		email := toValidUTF8(v.Email)
		o = append(o, Field{"email", email}, Field{"hash", tawkToHash(&tk.macs, tk.APIKey, email)})
		return Object{{"visitor", o}}, nil
	}
	id := toValidUTF8(v.ID)
	o = append(Object{{"userId", id}, {"hash", tawkToHash(&tk.macs, tk.APIKey, id)}}, o...)
	return Object{{"login", o}}, nil
}

// tawkToHash is Secure Mode's hash: HMAC-SHA256(key, message) in lowercase
// hex, where message is the e-mail (visitor, setAttributes) or the userId
// (login), exactly as sent.
func tawkToHash(m *hmacStates, key []byte, message string) string {
	return m.hex(key, message)
}

// tawkToCode applies the data through window.Tawk_API. ready runs f once
// the widget's API is there: at once when it is, else from Tawk_API.onLoad,
// keeping any onLoad the page set.
const tawkToCode jsCode = `(function(){var L=` + jsLoad + `;` +
	`function api(w){if(!w.Tawk_API){w.Tawk_API={}}return w.Tawk_API}` +
	`function ready(w,f){var a=api(w);if(typeof a.setAttributes==="function"){f(a);return}` +
	`var p=a.onLoad;a.onLoad=function(){if(typeof p==="function"){p.apply(this,arguments)}f(api(w))}}` +
	`function start(w,c){api(w);w.Tawk_LoadStart=new Date();` +
	`L(w.document,"https://embed.tawk.to/"+encodeURIComponent(c.property_id)+"/"+encodeURIComponent(c.widget_id))}` +
	`function nop(){}` +
	`function login(w,v){ready(w,function(a){if(typeof a.login==="function"){a.login(v.login,nop)}})}` +
	`function identify(w,c,v){if(v.visitor){api(w).visitor=v.visitor}else if(v.login){login(w,v)}start(w,c)}` +
	`return {identify:identify,` +
	`anonymous:function(w,c){start(w,c)},` +
	`reset:function(w,c){var a=api(w);try{delete a.visitor}catch(e){}` +
	`ready(w,function(a){if(typeof a.logout==="function"){a.logout(nop)}})},` +
	`update:function(w,c,v){if(!w.Tawk_LoadStart){identify(w,c,v);return}` +
	`if(v.visitor){api(w).visitor=v.visitor;ready(w,function(a){a.setAttributes(v.visitor,nop)})}else if(v.login){login(w,v)}}}})()`
