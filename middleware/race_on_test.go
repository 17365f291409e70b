//go:build race

package middleware

// raceEnabled reports whether the tests run under the race detector, whose
// sync.Pool drops some of what is put (see checkPooled).
const raceEnabled = true
