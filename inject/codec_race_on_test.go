//go:build race

package inject_test

// raceEnabled reports whether the race detector is on: its sync.Pool drops
// a quarter of what is put, on purpose, and its instrumentation is slow.
const raceEnabled = true
