//go:build !unix

package main

import (
	"errors"
	"time"
)

// cpuTime is not known on this system; the report leaves CPU time out.
func cpuTime() (time.Duration, error) {
	return 0, errors.ErrUnsupported
}
