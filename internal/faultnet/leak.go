package faultnet

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// Leak checks.
//
// Goroutines: runtime.NumGoroutine must settle back to what it was before
// the test started its server. net/http ends a connection's goroutines
// asynchronously after either side closes it, so the count is polled until
// a deadline rather than read once.
//
// Pooled per-request state: a handler that takes state from a sync.Pool
// must put it back however the request ends. The test sets the pool's New
// function to count (the pool calls it when it has nothing to give),
// empties the pool with two garbage collections, and counts how many states
// the pool has to make over a series of faulted requests: a few when every
// state comes back, one per request when a fault loses its state. Counting
// bytes or testing.AllocsPerRun instead would miss a lost state whenever
// the fault writes no body and the state's buffers are made on first use.

// PoolRuns is how many faulted requests CheckPooled makes.
const PoolRuns = 48

// NoGoroutineLeak records the number of goroutines now and registers a
// cleanup that fails t unless the number settles back to it. Call it first,
// so that the cleanups registered after it (servers, clients) run before.
func NoGoroutineLeak(t testing.TB) {
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

// CheckPooled empties the pools, calls fault (one faulted request that
// returns once the request is over) PoolRuns times after one warm-up call,
// and fails t unless the states those requests took went back to the pool,
// made counting what the pool had to make.
//
// Without leaks, the count stays at a few: one per P at most, and
// occasionally one after a garbage collection. Under the race detector
// sync.Pool.Put also drops one item in four at random, on purpose, so a
// quarter of the requests make a state on average; a lost state makes
// every request make one.
func CheckPooled(t testing.TB, made *atomic.Int64, fault func()) {
	t.Helper()
	runtime.GC()
	runtime.GC() // the second clears the pools' victim caches too
	fault()
	before := made.Load()
	for range PoolRuns {
		fault()
	}
	n := made.Load() - before
	limit := int64(PoolRuns / 4)
	if raceEnabled {
		limit = PoolRuns * 3 / 4
	}
	t.Logf("pool: %d states made for %d faulted requests", n, PoolRuns)
	if n > limit {
		t.Errorf("pool: %d states made for %d faulted requests, over %d: states are not returned", n, PoolRuns, limit)
	}
}
