package vendors

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// hmacHex returns HMAC-SHA256(key, msg) as lowercase hex, the form every
// vendor here expects for signatures and opaque ids.
func hmacHex(key, msg []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	// Encoded on the stack: hex.EncodeToString would allocate the encoding
	// and then the string, and every identified page calls this for several
	// vendors.
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], m.Sum(nil))
	return string(out[:])
}

// opaqueID derives the id a widget sees from the site's own user id: 64 hex
// characters that no one without key can link back to id or forge for
// another user. Every id has the same length, so no id is a prefix, suffix
// or extension of another. Webim, whose signature concatenates fields,
// prefixes it (webimOpaqueID). c supplies reused states for key.
func opaqueID(c *hmacStates, key []byte, id string) string {
	return c.hex(key, id)
}
