package vendors

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/chatident/chatident/internal/memo"
)

// jwtMemo reuses a signed identity JWT (Intercom's, Drift's) for the same
// claims while at least half of its lifetime remains, so that a visitor's
// pages do not each pay for signing: with a lifetime T, a page gets a token
// whose exp is between T/2 and T away. It is keyed by the exact claim
// values (see jwtKey), never by a hash of them, so one visitor never gets
// another's token. Like hmacStates it is set once, by Prepare, and
// harmless to copy; a zero jwtMemo, or a memo size of 0, remembers nothing.
type jwtMemo struct {
	v atomic.Value // jwtCache
}

type jwtCache struct{ c *memo.Cache[jwtEntry] }

type jwtEntry struct {
	token string
	exp   int64 // unix seconds
}

func (m *jwtMemo) prepare(size int) {
	if m.v.Load() == nil {
		m.v.CompareAndSwap(nil, jwtCache{memo.New[jwtEntry](size)})
	}
}

func (m *jwtMemo) cache() *memo.Cache[jwtEntry] {
	c, _ := m.v.Load().(jwtCache)
	return c.c
}

// get returns the token remembered for key if, at now, at least half of
// ttl remains and its exp is not further away than ttl (a clock that went
// back).
func (m *jwtMemo) get(key string, now time.Time, ttl time.Duration) (string, bool) {
	e, ok := m.cache().GetString(key)
	if !ok {
		return "", false
	}
	left := time.Duration(e.exp-now.Unix()) * time.Second
	if left < ttl/2 || left > ttl {
		return "", false
	}
	return e.token, true
}

func (m *jwtMemo) put(key, token string, exp time.Time) {
	m.cache().PutString(key, jwtEntry{token: token, exp: exp.Unix()})
}

// jwtKey joins claim values unambiguously: each is preceded by its length,
// so no two different lists give the same key.
func jwtKey(values ...string) string {
	n := 0
	for _, v := range values {
		n += len(v) + 4
	}
	b := make([]byte, 0, n)
	for _, v := range values {
		b = strconv.AppendInt(b, int64(len(v)), 10)
		b = append(b, ':')
		b = append(b, v...)
	}
	return string(b)
}
