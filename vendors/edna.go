package vendors

import (
	"context"
	"fmt"
)

// Edna identifies signed-in visitors to the edna Chat Center web chat by
// setting window properties before the chat's init code runs:
//
//	window["clientId"] = "<64 hex>";
//	window["clientData"] = '{"name":"…","phone":"…","email":"…"}';
//	window["extendedAuth"] = {"token":"…"};
//
// # Identity
//
// edna ties a visitor's chat history to the clientId alone: there is no
// signature, so whoever presents a clientId is that visitor. By default the
// clientId is therefore opaque and unguessable: HMAC-SHA256 of the site's
// user id under IDKey, in hex. clientData is a JSON object in a string
// (name ← Name, phone ← Phone, email ← Email, then Attributes, then the keys
// ClientData returns), shown to operators. extendedAuth, when ExtendedAuth is
// set, is an object edna forwards to its backend as headers, cookies or
// websocket data (settings.json extendedAuth), for example a short-lived
// token the site checks.
//
// Anonymous visitors get nothing: edna keeps their session in its own cookie.
//
// # Secrets
//
// IDKey never reaches the browser. It must never change for the life of
// the integration: the clientId is a permanent bearer credential, and a new
// key gives every visitor a new clientId, cutting them off from their chat
// history for good.
//
// # Security notes
//
// A clientId copied from a page (a shared screen, a browser extension, a
// support ticket) opens that visitor's chat history from anywhere, for as
// long as the integration lives. Use ExtendedAuth with a short-lived token
// where that matters. Never use a phone number, e-mail or other personal
// data as the id; RawID is for ids that already are long and random.
//
// The property names are configurable because edna's settings.json names
// them (clientId, clientData, extendedAuth.dataKey); they must match it.
//
// Build the value once and do not change its fields after passing it to
// middleware.New: requests read it concurrently. Copying it is harmless.
type Edna struct {
	// IDKey is the key for opaque clientIds (required unless RawID, at least
	// 16 bytes). It must never change for the life of the integration.
	IDKey []byte

	// RawID sends the site's user id itself as the clientId. The clientId is
	// edna's only credential for a visitor: with raw ids anyone who can guess
	// or learn a user id reads that user's chats. Use only with long random
	// ids such as UUIDv4.
	RawID bool

	// ClientIDName, ClientDataName and ExtendedAuthName are the window
	// property names from edna's settings.json; "clientId", "clientData"
	// and "extendedAuth" by default. Each must be a JavaScript identifier.
	ClientIDName     string
	ClientDataName   string
	ExtendedAuthName string

	// ClientData, when set, returns extra clientData keys for a visitor
	// (for example "personal_manager"). They take precedence over Attributes
	// and the standard keys; empty values are left out.
	ClientData func(Visitor) map[string]string

	// ExtendedAuth, when set, returns the extendedAuth object for a visitor,
	// built per request (for example a short-lived token). An error fails
	// this vendor for this request; an empty map leaves extendedAuth out.
	ExtendedAuth func(ctx context.Context, r Request, v Visitor) (map[string]string, error)

	macs hmacStates // the state under IDKey, made by Prepare
}

const ednaName = "edna"

// Name returns "edna".
func (e *Edna) Name() string { return ednaName }

func (e *Edna) names() (clientID, clientData, extendedAuth string) {
	clientID, clientData, extendedAuth = "clientId", "clientData", "extendedAuth"
	if e.ClientIDName != "" {
		clientID = e.ClientIDName
	}
	if e.ClientDataName != "" {
		clientData = e.ClientDataName
	}
	if e.ExtendedAuthName != "" {
		extendedAuth = e.ExtendedAuthName
	}
	return
}

// Validate reports every configuration mistake, each a *ConfigError.
func (e *Edna) Validate() error {
	var errs configErrors
	if !e.RawID {
		errs.key(ednaName, "IDKey", e.IDKey)
	}
	for _, n := range []struct{ field, value string }{
		{"ClientIDName", e.ClientIDName},
		{"ClientDataName", e.ClientDataName},
		{"ExtendedAuthName", e.ExtendedAuthName},
	} {
		if n.value != "" && !isJSIdentifier(n.value) {
			errs.add(ednaName, n.field, "is not a JavaScript identifier")
		}
	}
	id, data, ext := e.names()
	if id == data || id == ext || data == ext {
		errs.add(ednaName, "ClientDataName", "names the same property as another name")
	}
	return errs.join()
}

// Prepare checks the configuration, prepares the keyed state and returns
// edna's constant code:
//
//   - Identify sets the clientId, clientData (a string holding the JSON of
//     d.data: edna parses it) and, when there is one, extendedAuth window
//     properties, under the configured names;
//   - Anonymous is empty: edna keeps an anonymous visitor's session in its
//     own cookie;
//   - Reset re-initialises the widget with an empty clientId,
//     ThreadsWidget.reInit({clientId: ""}), once ThreadsWidget is present;
//   - Update sets the properties to the new visitor (an empty clientId when
//     signed out) and calls ThreadsWidget.reInit with them. edna documents
//     reInit for a changed client; its exact argument is unconfirmed.
func (e *Edna) Prepare(s Setup) (Script, error) {
	if err := e.Validate(); err != nil {
		return Script{}, err
	}
	e.macs.prepare(s.MemoSize, e.IDKey)
	idName, dataName, extName := e.names()
	var id, reset, update script
	id.code("w[").str(idName).code("]=d.id;\n")
	// clientData is a string holding JSON, not an object: edna parses it.
	id.code("w[").str(dataName).code("]=JSON.stringify(d.data);\n")
	id.code("if(d.ext){w[").str(extName).code("]=d.ext}\n")
	reset.beginReady(ednaAPI).
		code(`w.ThreadsWidget.reInit(`).value(Object{{idName, ""}}).code(`)`).
		endReady()
	update.code("var o={};o[").str(idName).code(`]=d?d.id:"";w[`).str(idName).code("]=o[").str(idName).code("];\n").
		code("if(d){o[").str(dataName).code("]=w[").str(dataName).code("]=JSON.stringify(d.data)}\n").
		beginReady(ednaAPI).code(`w.ThreadsWidget.reInit(o)`).endReady()
	return Script{Identify: id.text(), Reset: reset.text(), Update: update.text()}, nil
}

// ednaAPI is present once edna's widget script has run.
const ednaAPI jsCode = `w.ThreadsWidget&&typeof w.ThreadsWidget.reInit==="function"`

// Identify writes the clientId (d.id), the clientData object (d.data) and,
// when configured, the extendedAuth object (d.ext) for v.
func (e *Edna) Identify(ctx context.Context, r Request, v Visitor, d *Data) error {
	if !e.macs.ready() {
		return errNotPrepared
	}
	if v.ID == "" {
		return ErrNoVisitorID
	}
	id := v.ID
	if !e.RawID {
		id = opaqueID(&e.macs, e.IDKey, v.ID)
	}
	d.String("id", id)
	d.Object("data")
	e.clientData(d, v)
	d.End()
	if e.ExtendedAuth != nil {
		ext, err := e.ExtendedAuth(ctx, r, v)
		if err != nil {
			return fmt.Errorf("edna: ExtendedAuth: %w", err)
		}
		if len(ext) > 0 {
			d.Value("ext", ext)
		}
	}
	return nil
}

// clientData writes the clientData fields: name, phone, email, then
// Attributes in key order, then ClientData's keys in key order. Each key
// appears once, at its first position, with the value of its last source;
// empty values never override or appear.
func (e *Edna) clientData(d *Data, v Visitor) {
	var extra map[string]string
	if e.ClientData != nil {
		extra = e.ClientData(v)
	}
	last := func(k, first string) string {
		if x := extra[k]; x != "" {
			return x
		}
		if x := v.Attributes[k]; x != "" {
			return x
		}
		return first
	}
	std := [...]struct{ key, value string }{{"name", v.Name}, {"phone", v.Phone}, {"email", v.Email}}
	placed := func(k string) bool {
		for _, f := range std {
			if f.key == k {
				return f.value != ""
			}
		}
		return false
	}
	for _, f := range std {
		if f.value != "" {
			d.String(f.key, last(f.key, f.value))
		}
	}
	if len(v.Attributes) > 0 {
		for _, k := range sortedKeys(v.Attributes) {
			if v.Attributes[k] != "" && !placed(k) {
				d.String(k, last(k, ""))
			}
		}
	}
	if len(extra) > 0 {
		for _, k := range sortedKeys(extra) {
			if extra[k] != "" && !placed(k) && v.Attributes[k] == "" {
				d.String(k, extra[k])
			}
		}
	}
}
