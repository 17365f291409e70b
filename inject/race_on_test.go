//go:build race

package inject

// raceEnabled reports whether the tests run under the race detector, whose
// sync.Pool drops some of what is put (see faultnet.CheckPooled).
const raceEnabled = true
