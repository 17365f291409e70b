package inject

// RaceEnabled reports whether the race detector is on, for the external
// tests: its sync.Pool drops a quarter of what is put, on purpose.
const RaceEnabled = raceEnabled
