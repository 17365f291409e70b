package middleware

import (
	"bytes"
	"fmt"

	"github.com/chatident/chatident/vendors"
)

// namedKey is one secret of a configuration with the field it came from,
// spelled as New's errors spell fields.
type namedKey struct {
	where string
	key   []byte
}

// keyHolder is implemented by the built-in sources, whose keys New compares
// with every other key of the configuration.
type keyHolder interface {
	secretKeys() []vendors.Key
}

// secretKeys returns HashKey, BlockKey and the previous pairs.
func (s *SessionCookie[T]) secretKeys() []vendors.Key {
	keys := []vendors.Key{{Field: "HashKey", Value: s.HashKey}, {Field: "BlockKey", Value: s.BlockKey}}
	for i, p := range s.PreviousKeys {
		keys = append(keys,
			vendors.Key{Field: fmt.Sprintf("PreviousKeys[%d].HashKey", i), Value: p.HashKey},
			vendors.Key{Field: fmt.Sprintf("PreviousKeys[%d].BlockKey", i), Value: p.BlockKey})
	}
	return keys
}

// secretKeys returns Secret and PreviousSecrets (public keys are not
// secrets).
func (s *JWTCookie) secretKeys() []vendors.Key {
	keys := []vendors.Key{{Field: "Secret", Value: s.Secret}}
	for i, k := range s.PreviousSecrets {
		keys = append(keys, vendors.Key{Field: fmt.Sprintf("PreviousSecrets[%d]", i), Value: k})
	}
	return keys
}

// signOutKeys returns the sign-out marker's configured keys.
func signOutKeys(s SignOut) []namedKey {
	if s.Disabled {
		return nil
	}
	keys := []namedKey{{"Config.SignOut.HashKey", s.HashKey}}
	for i, k := range s.PreviousHashKeys {
		keys = append(keys, namedKey{fmt.Sprintf("Config.SignOut.PreviousHashKeys[%d]", i), k})
	}
	return keys
}

// heldKeys returns the keys that keys reports, each named where (a vendor or
// source) plus its field. A Keys method that panics is reported as an error.
func heldKeys(where string, keys func() []vendors.Key) ([]namedKey, error) {
	var got []vendors.Key
	if err := call(func() error { got = keys(); return nil }); err != nil {
		return nil, fmt.Errorf("%s: Keys() %w", where, err)
	}
	out := make([]namedKey, 0, len(got))
	for _, k := range got {
		out = append(out, namedKey{where + "." + k.Field, k.Value})
	}
	return out, nil
}

// checkDistinctKeys returns an error for every key that equals an earlier
// one, naming both fields and neither value. One key in two places lets what
// one vendor shows the browser (an opaque id, a bearer clientId) be what
// another trusts, or lets a vendor-side id sign chatident's own cookies.
// Empty keys are unused and skipped. The comparison is not constant-time: it
// runs once, at start-up, on the configuration alone.
func checkDistinctKeys(keys []namedKey) []error {
	var errs []error
	for j, k := range keys {
		if len(k.key) == 0 {
			continue
		}
		for _, earlier := range keys[:j] {
			if bytes.Equal(k.key, earlier.key) {
				errs = append(errs, fmt.Errorf("%s is the same key as %s: give every key one purpose", k.where, earlier.where))
				break
			}
		}
	}
	return errs
}
