package vendors

import (
	"context"
	"fmt"
)

// Edna identifies signed-in visitors to the edna Chat Center web chat by
// setting window properties before the chat's init code runs:
//
//	window["clientId"] = "<64 hex>";
//	window["clientData"] = "{\"name\":\"…\",\"phone\":\"…\",\"email\":\"…\"}";
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

	macs hmacStates // reused states under IDKey
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

// Validate reports the first configuration mistake as a *ConfigError.
func (e *Edna) Validate() error {
	if !e.RawID {
		if err := checkKey(ednaName, "IDKey", e.IDKey); err != nil {
			return err
		}
	}
	for _, n := range []struct{ field, value string }{
		{"ClientIDName", e.ClientIDName},
		{"ClientDataName", e.ClientDataName},
		{"ExtendedAuthName", e.ExtendedAuthName},
	} {
		if n.value != "" && !isJSIdentifier(n.value) {
			return configErr(ednaName, n.field, "is not a JavaScript identifier")
		}
	}
	id, data, ext := e.names()
	if id == data || id == ext || data == ext {
		return configErr(ednaName, "ClientDataName", "names the same property as another name")
	}
	e.macs.prepare(e.IDKey)
	return nil
}

// Identify returns the script that sets the clientId, clientData and, when
// configured, extendedAuth properties for v.
func (e *Edna) Identify(ctx context.Context, r Request, v Visitor) ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	if v.ID == "" {
		return nil, ErrNoVisitorID
	}
	idName, dataName, extName := e.names()
	id := v.ID
	if !e.RawID {
		id = opaqueID(&e.macs, e.IDKey, v.ID)
	}
	data, err := AppendJS(nil, e.clientData(v))
	if err != nil {
		return nil, err
	}
	s := &script{}
	s.code("window[").str(idName).code("] = ").str(id).code(";\n")
	// clientData is a string holding JSON, not an object: edna parses it.
	s.code("window[").str(dataName).code("] = ").str(string(data)).code(";\n")
	if e.ExtendedAuth != nil {
		ext, err := e.ExtendedAuth(ctx, r, v)
		if err != nil {
			return nil, fmt.Errorf("edna: ExtendedAuth: %w", err)
		}
		if len(ext) > 0 {
			s.code("window[").str(extName).code("] = ").value(ext).code(";\n")
		}
	}
	return s.bytes()
}

// clientData returns the clientData object: name, phone, email, then
// Attributes in key order, then ClientData's keys in key order. Each key
// appears once, at its first position, with the value of its last source;
// empty values never override or appear.
func (e *Edna) clientData(v Visitor) Object {
	var obj Object
	index := map[string]int{}
	put := func(k, val string) {
		if val == "" {
			return
		}
		if i, ok := index[k]; ok {
			obj[i].Value = val
			return
		}
		index[k] = len(obj)
		obj = append(obj, Field{k, val})
	}
	put("name", v.Name)
	put("phone", v.Phone)
	put("email", v.Email)
	for _, k := range sortedKeys(v.Attributes) {
		put(k, v.Attributes[k])
	}
	if e.ClientData != nil {
		extra := e.ClientData(v)
		for _, k := range sortedKeys(extra) {
			put(k, extra[k])
		}
	}
	if obj == nil {
		obj = Object{}
	}
	return obj
}

// Anonymous returns nil: edna keeps an anonymous visitor's session in its
// own cookie and needs nothing from the site.
func (e *Edna) Anonymous(ctx context.Context, r Request) ([]byte, error) {
	return nil, nil
}

// Reset clears the identity after sign-out by re-initialising the widget
// with an empty clientId: ThreadsWidget.reInit({clientId: ""}), using the
// configured property name, once ThreadsWidget is present.
func (e *Edna) Reset(ctx context.Context, r Request) ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	idName, _, _ := e.names()
	s := &script{}
	s.beginReady(`w.ThreadsWidget&&typeof w.ThreadsWidget.reInit==="function"`).
		code(`w.ThreadsWidget.reInit(`).value(Object{{idName, ""}}).code(`)`).
		endReady()
	return s.bytes()
}
