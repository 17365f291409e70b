package main

import (
	"os"
	"strings"
)

// loadAverage is the machine's 1-, 5- and 15-minute load averages from
// /proc/loadavg, or "n/a". Other work on the machine moves the absolute
// figures, so the report says how busy it was.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}
