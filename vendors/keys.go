package vendors

// Key is one secret a vendor holds, with the name of the field that holds
// it, so that a configuration check can name it without showing it.
type Key struct {
	// Field is the field's name, as in the vendor's type ("IDKey").
	Field string
	// Value is the key itself. An empty Value is an unused key.
	Value []byte
}

// KeyHolder is implemented by vendors that hold secrets. middleware.New
// compares the keys of every vendor with each other and with the
// middleware's own (the sign-out key, the session-cookie and login-token
// keys) and refuses to start when two are equal: one key in two places
// turns what one vendor shows into what another trusts. With one key for
// Edna.IDKey and HelpCrunch.Secret, say, edna's bearer clientId would be the
// HelpCrunch user_id, and with one for Webim.IDKey and Edna.IDKey it would
// be the Webim id, visible to Webim's operators.
//
// Keys returns the vendor's keys, in any order, empty ones included; the
// caller only compares them and never modifies them.
type KeyHolder interface {
	Keys() []Key
}

// Keys returns PrivateKey and IDKey.
func (w *Webim) Keys() []Key {
	return []Key{{"PrivateKey", w.PrivateKey}, {"IDKey", w.IDKey}}
}

// Keys returns IDKey.
func (e *Edna) Keys() []Key {
	return []Key{{"IDKey", e.IDKey}}
}

// Keys returns Secret.
func (h *HelpCrunch) Keys() []Key {
	return []Key{{"Secret", h.Secret}}
}

// Keys returns Secret.
func (z *Zendesk) Keys() []Key {
	return []Key{{"Secret", z.Secret}}
}
