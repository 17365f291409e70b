package middleware

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
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
// one, as bytes or as an HMAC key (see hmacEquivalent), naming both fields
// and neither value. One key in two places lets what
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
			if len(earlier.key) == 0 {
				continue
			}
			if bytes.Equal(k.key, earlier.key) {
				errs = append(errs, fmt.Errorf("%s is the same key as %s: give every key one purpose", k.where, earlier.where))
				break
			}
			if hmacEquivalent(k.key, earlier.key) {
				errs = append(errs, fmt.Errorf("%s is the same HMAC key as %s in other bytes (zero bytes appended, or a long key hashed): give every key one purpose", k.where, earlier.where))
				break
			}
		}
	}
	return errs
}

// hmacEquivalent reports whether a and b, different bytes, are one key to
// HMAC-SHA256 or HMAC-SHA512 (the hashes chatident's keys and the login
// tokens' HS256/HS512 use): HMAC replaces a key longer than the hash's block
// with its hash, then pads it with zero bytes to the block, so "k" and
// "k\x00", or a 100-byte key and its SHA-256, make the same MACs.
func hmacEquivalent(a, b []byte) bool {
	block := func(k []byte, size int, sum func([]byte) []byte) []byte {
		if len(k) > size {
			k = sum(k)
		}
		return bytes.TrimRight(k, "\x00")
	}
	s256 := func(k []byte) []byte { s := sha256.Sum256(k); return s[:] }
	s512 := func(k []byte) []byte { s := sha512.Sum512(k); return s[:] }
	return bytes.Equal(block(a, sha256.BlockSize, s256), block(b, sha256.BlockSize, s256)) ||
		bytes.Equal(block(a, sha512.BlockSize, s512), block(b, sha512.BlockSize, s512))
}
