// Package memo is a bounded, concurrency-safe cache of values that are a
// pure function of their key's bytes, such as an HMAC of a visitor id under
// a fixed key.
//
// Keys are compared in full (Go map keys), never by a hash of them alone, so
// a lookup can only ever return the value computed for exactly the same
// bytes: one visitor cannot receive a value made for another.
//
// The cache keeps two generations per shard: when the current generation of
// a shard is full it becomes the previous one and the older one is dropped.
// A hit in the previous generation moves the entry forward. Memory is
// therefore bounded by twice the configured size, and an entry in use stays.
package memo

import (
	"hash/maphash"
	"sync"
)

// shards spreads lock contention; a power of two.
const shards = 16

// MaxKey bounds the keys kept: longer keys are computed each time, so that
// one unusual value (a huge name) cannot take a large share of the memory.
const MaxKey = 512

// Cache maps keys to values of type V. A nil *Cache is valid and caches
// nothing, which is how a disabled memo is represented.
type Cache[V any] struct {
	per   int // entries per shard and generation
	seed  maphash.Seed
	shard [shards]shard[V]
}

type shard[V any] struct {
	mu        sync.Mutex
	cur, prev map[string]V
}

// New returns a cache of about size entries, or nil (no caching) when size
// is below 1.
func New[V any](size int) *Cache[V] {
	if size < 1 {
		return nil
	}
	c := &Cache[V]{per: max(1, size/shards), seed: maphash.MakeSeed()}
	for i := range c.shard {
		c.shard[i].cur = make(map[string]V)
	}
	return c
}

// shardOf picks a key's shard. The hash is not a cache key: entries are
// found by their whole key within the shard.
func (c *Cache[V]) shardOf(key []byte) *shard[V] {
	return &c.shard[maphash.Bytes(c.seed, key)&(shards-1)]
}

func (c *Cache[V]) shardOfString(key string) *shard[V] {
	return &c.shard[maphash.String(c.seed, key)&(shards-1)]
}

// Get returns the value stored for exactly key. It does not allocate.
func (c *Cache[V]) Get(key []byte) (V, bool) {
	var zero V
	if c == nil || len(key) > MaxKey {
		return zero, false
	}
	s := c.shardOf(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.cur[string(key)]; ok {
		return v, true
	}
	if v, ok := s.prev[string(key)]; ok {
		s.put(c.per, string(key), v)
		return v, true
	}
	return zero, false
}

// GetString is Get for a key held in a string.
func (c *Cache[V]) GetString(key string) (V, bool) {
	var zero V
	if c == nil || len(key) > MaxKey {
		return zero, false
	}
	s := c.shardOfString(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.cur[key]; ok {
		return v, true
	}
	if v, ok := s.prev[key]; ok {
		s.put(c.per, key, v)
		return v, true
	}
	return zero, false
}

// PutString is Put for a key held in a string.
func (c *Cache[V]) PutString(key string, v V) {
	if c == nil || len(key) > MaxKey {
		return
	}
	s := c.shardOfString(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put(c.per, key, v)
}

// Put stores v for key (copied). Keys longer than MaxKey are not stored.
func (c *Cache[V]) Put(key []byte, v V) {
	if c == nil || len(key) > MaxKey {
		return
	}
	s := c.shardOf(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put(c.per, string(key), v)
}

func (s *shard[V]) put(per int, key string, v V) {
	if len(s.cur) >= per {
		s.prev, s.cur = s.cur, make(map[string]V, per)
	}
	s.cur[key] = v
}

// Len returns the number of entries held, for tests.
func (c *Cache[V]) Len() int {
	if c == nil {
		return 0
	}
	n := 0
	for i := range c.shard {
		s := &c.shard[i]
		s.mu.Lock()
		n += len(s.cur) + len(s.prev)
		s.mu.Unlock()
	}
	return n
}
