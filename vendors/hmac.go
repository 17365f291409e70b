package vendors

import (
	"errors"
	"sync/atomic"

	"github.com/chatident/chatident/internal/keyed"
	"github.com/chatident/chatident/internal/memo"
)

// hmacStates are a vendor's keyed HMAC-SHA256 states (internal/keyed),
// with their memo, one per key.
//
// A vendor holds one in an unexported field. It is filled once, by the
// first Prepare (middleware.New's, before any request), and only read
// after, so requests never write to the vendor value and a copy of the
// value shares the states harmlessly: each use checks that the key it is
// asked for is still the one the states were built from, and computes afresh
// when it is not, so a key changed after use (or in a copy) still gets the
// right HMAC, only without the reuse. atomic.Value, unlike sync.Once or
// atomic.Pointer, carries no copy guard, so vendor structs stay copyable
// without go vet complaints.
type hmacStates struct {
	v      atomic.Value // []*keyed.MAC, set once
	logins atomic.Value // *memo.Cache[string]: Webim's wrapped logins, by login
}

// prepare builds states for keys on the first call; later calls only load.
// Empty keys are skipped (a RawID vendor has no IDKey).
func (c *hmacStates) prepare(memoSize int, keys ...[]byte) {
	if c.v.Load() != nil {
		return
	}
	macs := make([]*keyed.MAC, 0, len(keys))
	for _, k := range keys {
		if len(k) > 0 {
			macs = append(macs, keyed.New(k, memoSize))
		}
	}
	if c.v.CompareAndSwap(nil, macs) {
		c.logins.Store(memo.New[string](memoSize))
	}
}

// wrapLogin is webimWrapLogin, remembered by the exact login.
func (c *hmacStates) wrapLogin(login string) string {
	m, _ := c.logins.Load().(*memo.Cache[string])
	if s, ok := m.GetString(login); ok {
		return s
	}
	s := webimWrapLogin(login)
	m.PutString(login, s)
	return s
}

// mac returns the prepared state for key, or nil.
func (c *hmacStates) mac(key []byte) *keyed.MAC {
	macs, _ := c.v.Load().([]*keyed.MAC)
	for _, m := range macs {
		if m.Key(key) {
			return m
		}
	}
	return nil
}

// hex returns HMAC-SHA256(key, msg) as lowercase hex, the form every vendor
// here expects for signatures and opaque ids.
func (c *hmacStates) hex(key []byte, msg string) string {
	if m := c.mac(key); m != nil {
		return m.Hex(msg)
	}
	return keyed.Hex(key, []byte(msg))
}

// userHashHex is HMAC-SHA256(key, userID) in hex when userID is not
// empty, else HMAC-SHA256(key, email), over the exact bytes given: the rule
// of Intercom's user_hash and Front's userHash.
func (c *hmacStates) userHashHex(key []byte, userID, email string) string {
	if userID != "" {
		return c.hex(key, userID)
	}
	return c.hex(key, email)
}

// remembered returns HMAC-SHA256(key, msg) in hex when key's memo holds
// it: msg was signed before.
func (c *hmacStates) remembered(key, msg []byte) (string, bool) {
	if m := c.mac(key); m != nil {
		return m.Remembered(msg)
	}
	return "", false
}

// hexBytes is hex for a message already in bytes.
func (c *hmacStates) hexBytes(key, msg []byte) string {
	if m := c.mac(key); m != nil {
		return m.HexBytes(msg)
	}
	return keyed.Hex(key, msg)
}

// opaqueID derives the id a widget sees from the site's own user id: 64 hex
// characters that no one without key can link back to id or forge for
// another user. Every id has the same length, so no id is a prefix, suffix
// or extension of another. Webim, whose signature concatenates fields,
// prefixes it (webimOpaqueID).
func opaqueID(c *hmacStates, key []byte, id string) string {
	return c.hex(key, id)
}

// ready reports whether prepare has run, which Prepare does after checking
// the configuration: the page path relies on that check.
func (c *hmacStates) ready() bool { return c.v.Load() != nil }

// errNotPrepared fails a vendor asked for page data before Prepare.
var errNotPrepared = errors.New("vendors: vendor used before Prepare (middleware.New calls it)")
