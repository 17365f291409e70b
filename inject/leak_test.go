package inject

import (
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// Leak checks for the fault tests (faults_test.go).
//
// Goroutines: runtime.NumGoroutine must settle back to what it was before
// the test started its server. net/http ends a connection's goroutines
// asynchronously after either side closes it, so the count is polled until
// a deadline rather than read once.
//
// Pooled response state: Handler takes each response's state from its
// sync.Pool and must put it back however the response ends. No hook in
// pool.go is needed to see that: the test sets the pool's New function
// (the pool calls it when it has nothing to give), empties the pool with
// two garbage collections, and counts how many states the pool has to make
// over a series of faulted requests. When every state comes back, only the
// first requests make one (sync.Pool keeps a state per P); when a fault
// loses its state, every request makes one, so the count equals the number
// of requests. Counting bytes or testing.AllocsPerRun instead would miss a
// lost state whenever the fault writes no body, since the held-bytes
// buffer is only made on first use.

// poolRuns is how many faulted requests checkPooled makes.
const poolRuns = 48

// noGoroutineLeak records the number of goroutines now and registers a
// cleanup that fails t unless the number settles back to it. Call it first,
// so that the cleanups registered after it (servers, clients) run before.
func noGoroutineLeak(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for {
			n := runtime.NumGoroutine()
			if n <= before {
				t.Logf("goroutines: %d before, %d after", before, n)
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				t.Errorf("goroutines: %d before, still %d after 5s:\n%s", before, n, buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

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

// checkPooled empties the pools, calls fault (one faulted request that
// returns once its outcome is reported) poolRuns times after one warm-up
// call, and fails t unless the states those requests took went back to the
// pool, made counting what the pool had to make (see countStates).
//
// Without leaks, the count stays at a few: one per P at most, and
// occasionally one after a garbage collection. Under the race detector
// sync.Pool.Put also drops one item in four at random, on purpose, so a
// quarter of the requests make a state on average; a lost state makes
// every request make one.
func checkPooled(t *testing.T, made *atomic.Int64, fault func()) {
	t.Helper()
	runtime.GC()
	runtime.GC() // the second clears the pools' victim caches too
	fault()
	before := made.Load()
	for range poolRuns {
		fault()
	}
	n := made.Load() - before
	limit := int64(poolRuns / 4)
	if raceEnabled {
		limit = poolRuns * 3 / 4
	}
	t.Logf("pool: %d states made for %d faulted requests", n, poolRuns)
	if n > limit {
		t.Errorf("pool: %d states made for %d faulted requests, over %d: states are not returned", n, poolRuns, limit)
	}
}
