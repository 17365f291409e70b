package middleware

import (
	"sync/atomic"
)

// Pooled request state: Wrap's handler takes each page request's state
// from the Middleware's sync.Pool and must put it back however the request
// ends; faultnet.CheckPooled counts what the pool has to make over a series
// of faulted requests, through countStates. The rewriter's own pool, inside
// Wrap, is checked the same way by package inject's fault tests.

// countStates makes m's page pool, before m serves, count the
// states it has to make.
func countStates(m *Middleware) *atomic.Int64 {
	var made atomic.Int64
	newState := m.pages.New
	m.pages.New = func() any {
		made.Add(1)
		return newState()
	}
	return &made
}
