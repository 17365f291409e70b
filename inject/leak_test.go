package inject

import (
	"net/http"
	"sync/atomic"
)

// Pooled response state: Handler takes each response's state from its
// sync.Pool and must put it back however the response ends. No hook in
// pool.go is needed to see that: countStates makes the pool count the
// states it has to make, and faultnet.CheckPooled counts them over a series
// of faulted requests.

// countStates makes the pool of h, a Handler not yet serving, count the
// states it has to make.
func countStates(h http.Handler) *atomic.Int64 {
	var made atomic.Int64
	h.(*handler).pool.p.New = func() any {
		made.Add(1)
		return new(response)
	}
	return &made
}
