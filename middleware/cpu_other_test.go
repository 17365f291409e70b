//go:build !unix

package middleware

import (
	"testing"
	"time"
)

// cpuTime is not measured here: benchmarks report 0 CPU time.
func cpuTime(testing.TB) time.Duration { return 0 }
