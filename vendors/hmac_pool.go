package vendors

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"
	"sync/atomic"
)

// hmacStates reuses keyed HMAC-SHA256 states across requests. hmac.New
// hashes the key into its pads and allocates both digests on every call,
// and an identified page signs several values per vendor.
//
// A vendor holds one in an unexported field. It is filled once, by the
// first Validate that succeeds (middleware.New's, before any request), and
// only read after, so requests never write to the vendor value and a
// copy of the value shares the states harmlessly: each use checks that the
// key it is asked for is still the one the states were built from, and
// computes afresh when it is not, so a key changed after use (or in a copy)
// still gets the right HMAC, only without the reuse. atomic.Value, unlike
// sync.Once or atomic.Pointer, carries no copy guard, so vendor structs
// stay copyable without go vet complaints.
type hmacStates struct {
	v atomic.Value // []*keyedHMAC, set once
}

// keyedHMAC is a pool of HMAC-SHA256 states under one key.
type keyedHMAC struct {
	key  []byte // a private copy, compared on each use
	pool sync.Pool
}

// prepare builds pools for keys on the first call; later calls only load.
// Empty keys are skipped (a RawID vendor has no IDKey).
func (c *hmacStates) prepare(keys ...[]byte) {
	if c.v.Load() != nil {
		return
	}
	pools := make([]*keyedHMAC, 0, len(keys))
	for _, k := range keys {
		if len(k) == 0 {
			continue
		}
		p := &keyedHMAC{key: append([]byte(nil), k...)}
		p.pool.New = func() any { return &hmacState{h: hmac.New(sha256.New, p.key)} }
		pools = append(pools, p)
	}
	c.v.CompareAndSwap(nil, pools)
}

// hmacState is one pooled state with its buffers: whatever is passed to
// the hash.Hash interface escapes, so a message converted from a string or
// a sum array on the stack would each cost an allocation per call.
type hmacState struct {
	h   hash.Hash
	msg []byte
	sum [sha256.Size]byte
}

// hex returns HMAC-SHA256(key, msg) as lowercase hex, as hmacHex does,
// from a pooled state when one was prepared for key.
func (c *hmacStates) hex(key []byte, msg string) string {
	p := c.pool(key)
	if p == nil {
		return hmacHex(key, []byte(msg))
	}
	st := p.pool.Get().(*hmacState)
	st.msg = append(st.msg[:0], msg...)
	out := st.hex(st.msg)
	if cap(st.msg) > maxPooledMsg {
		st.msg = nil
	}
	p.pool.Put(st)
	return out
}

// maxPooledMsg bounds the message buffer a pooled state keeps, so that one
// unusually long value does not stay in memory for good.
const maxPooledMsg = 1024

// hexBytes is hex for a message already in bytes.
func (c *hmacStates) hexBytes(key, msg []byte) string {
	p := c.pool(key)
	if p == nil {
		return hmacHex(key, msg)
	}
	st := p.pool.Get().(*hmacState)
	out := st.hex(msg)
	p.pool.Put(st)
	return out
}

// pool returns the prepared pool for key, or nil.
func (c *hmacStates) pool(key []byte) *keyedHMAC {
	pools, _ := c.v.Load().([]*keyedHMAC)
	for _, p := range pools {
		// Constant time, though both sides are the vendor's own key.
		if hmac.Equal(p.key, key) {
			return p
		}
	}
	return nil
}

// hex signs msg from a fresh state.
func (st *hmacState) hex(msg []byte) string {
	st.h.Reset()
	st.h.Write(msg)
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], st.h.Sum(st.sum[:0]))
	return string(out[:])
}
