// Package keyed holds the one pool of keyed HMAC-SHA256 states that the
// vendors and the middleware sign with, and the memo in front of it.
//
// hmac.New hashes the key into its pads and allocates both digests on every
// call, and an identified page signs several values; a MAC reuses states
// under its key instead. Its memo (see package memo) remembers the results
// for messages seen recently, keyed by the exact message bytes: the values
// signed per page (an opaque id, a hash of a user id, a signed string whose
// timestamp is bucketed) repeat for every page a visitor loads.
package keyed

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"

	"github.com/chatident/chatident/internal/memo"
)

// MAC computes HMAC-SHA256 under one key. It is safe for concurrent use.
type MAC struct {
	key  []byte // a private copy
	pool sync.Pool
	hexs *memo.Cache[string]
	sums *memo.Cache[[sha256.Size]byte]
	pre  *memo.Cache[string] // HexPrefixed results, by prefix, NUL, message
}

// New returns a MAC under a copy of key whose memo keeps about memoSize
// results (none when memoSize < 1).
func New(key []byte, memoSize int) *MAC {
	m := &MAC{key: append([]byte(nil), key...)}
	m.pool.New = func() any { return &state{h: hmac.New(sha256.New, m.key)} }
	m.hexs = memo.New[string](memoSize)
	m.sums = memo.New[[sha256.Size]byte](memoSize)
	m.pre = memo.New[string](memoSize)
	return m
}

// Key reports whether key is the MAC's key (in constant time).
func (m *MAC) Key(key []byte) bool { return hmac.Equal(m.key, key) }

// state is one pooled HMAC state with its buffers: whatever is passed to
// the hash.Hash interface escapes, so a message converted from a string or
// a sum array on the stack would each cost an allocation per call.
type state struct {
	h   hash.Hash
	msg []byte
	sum [sha256.Size]byte
}

// maxPooledMsg bounds the message buffer a pooled state keeps, so that one
// unusually long value does not stay in memory for good.
const maxPooledMsg = 1024

// Hex returns HMAC-SHA256(key, msg) in lowercase hex.
func (m *MAC) Hex(msg string) string {
	// A remembered result needs no pooled state: look it up first.
	if s, ok := m.hexs.GetString(msg); ok {
		return s
	}
	st := m.pool.Get().(*state)
	st.msg = append(st.msg[:0], msg...)
	out := m.compute(st, st.msg)
	m.put(st)
	return out
}

// Remembered returns Hex(msg) when the memo holds it, without computing:
// the caller learns that msg was signed before.
func (m *MAC) Remembered(msg []byte) (string, bool) { return m.hexs.Get(msg) }

// HexBytes is Hex for a message in bytes.
func (m *MAC) HexBytes(msg []byte) string {
	st := m.pool.Get().(*state)
	out := m.hexOf(st, msg)
	m.put(st)
	return out
}

func (m *MAC) hexOf(st *state, msg []byte) string {
	if s, ok := m.hexs.Get(msg); ok {
		return s
	}
	return m.compute(st, msg)
}

// compute signs msg with st and remembers the result.
func (m *MAC) compute(st *state, msg []byte) string {
	st.h.Reset()
	st.h.Write(msg)
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], st.h.Sum(st.sum[:0]))
	s := string(out[:])
	m.hexs.Put(msg, s)
	return s
}

// HexPrefixed returns prefix followed by Hex(msg), remembered as one string
// so that a remembered result costs no concatenation. prefix must not hold
// a NUL byte (it separates prefix and message in the memo's key).
func (m *MAC) HexPrefixed(prefix, msg string) string {
	st := m.pool.Get().(*state)
	st.msg = append(append(append(st.msg[:0], prefix...), 0), msg...)
	if s, ok := m.pre.Get(st.msg); ok {
		m.put(st)
		return s
	}
	key := st.msg
	h := m.hexOf(st, key[len(prefix)+1:])
	s := prefix + h
	m.pre.Put(key, s)
	m.put(st)
	return s
}

// Sum returns HMAC-SHA256(key, msg).
func (m *MAC) Sum(msg string) [sha256.Size]byte {
	if sum, ok := m.sums.GetString(msg); ok {
		return sum
	}
	st := m.pool.Get().(*state)
	st.msg = append(st.msg[:0], msg...)
	st.h.Reset()
	st.h.Write(st.msg)
	st.h.Sum(st.sum[:0])
	sum := st.sum
	m.sums.Put(st.msg, sum)
	m.put(st)
	return sum
}

func (m *MAC) put(st *state) {
	if cap(st.msg) > maxPooledMsg {
		st.msg = nil
	}
	m.pool.Put(st)
}

// Hex returns HMAC-SHA256(key, msg) in lowercase hex from a fresh state,
// for keys that have no MAC.
func Hex(key, msg []byte) string {
	h := hmac.New(sha256.New, key)
	h.Write(msg)
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], h.Sum(nil))
	return string(out[:])
}
