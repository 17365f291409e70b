package faultnet

import (
	"testing"
	"time"
)

// Within returns the next value from ch, failing t if none comes within
// 10 s: a fault test must end even when the fault it provokes hangs.
func Within[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("%s: nothing after 10 s", what)
		panic("unreachable")
	}
}
