//go:build unix

package middleware

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the process's user and system CPU time so far. Benchmarks
// report it per operation beside ns/op: on a shared machine wall time per
// operation includes time the process spent waiting for a core.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
