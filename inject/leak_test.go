package inject

import (
	"runtime"
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
// Pooled response state: Handler takes each response's state, with its
// held-bytes buffer, from a sync.Pool and must put it back however the
// response ends. Counting Get and Put would take a hook in pool.go that only
// tests use. Instead the fault tests run with MaxHeld(probeHeld), so that
// every state not returned costs a later response a fresh probeHeld-byte
// buffer, and measure the heap bytes allocated per faulted request: a few
// KiB (the connection's own) when every state comes back, at least
// probeHeld per request when they do not. testing.AllocsPerRun would count
// two allocations for a lost state, lost among the connection's dozens; in
// bytes the difference is two orders of magnitude.

// probeHeld is the MaxHeld of the fault tests' handlers.
const probeHeld = 1 << 20

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

// heapPerRun returns the heap bytes allocated per call of f, over n calls.
func heapPerRun(n int, f func()) float64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		f()
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
}

// checkPooled fails t unless perRun, the heap bytes allocated per faulted
// request (heapPerRun), shows that the responses' states went back to the
// pool. Under the race detector sync.Pool.Put drops one item in four on
// purpose, which costs a quarter of probeHeld per request on average; a
// state that is never returned costs all of it, every time.
func checkPooled(t *testing.T, perRun float64) {
	t.Helper()
	limit := probeHeld / 4.0
	if raceEnabled {
		limit = probeHeld * 0.6
	}
	t.Logf("heap per faulted request: %.0f bytes (a state not returned to the pool costs at least %d)", perRun, probeHeld)
	if perRun > limit {
		t.Errorf("heap per faulted request: %.0f bytes, over %.0f: response state is not returned to the pool", perRun, limit)
	}
}
