//go:build race

package faultnet

// raceEnabled reports whether the race detector is on, whose sync.Pool
// drops some of what is put (see CheckPooled).
const raceEnabled = true
