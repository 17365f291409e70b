package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// profiled runs f under the profiles cfg asks for. The profiles cover the
// whole process, both servers and the clients: look at one side with
// pprof's -focus (the site package's handlers, or middleware).
func profiled(cfg config, f func() (*result, error)) (res *result, err error) {
	if cfg.CPUProfile != "" {
		out, err := os.Create(cfg.CPUProfile)
		if err != nil {
			return nil, fmt.Errorf("CPU profile: %w", err)
		}
		defer func() { err = errors.Join(err, out.Close()) }()
		if err := pprof.StartCPUProfile(out); err != nil {
			return nil, fmt.Errorf("CPU profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	res, err = f()
	if err != nil || cfg.MemProfile == "" {
		return res, err
	}
	out, err := os.Create(cfg.MemProfile)
	if err != nil {
		return res, fmt.Errorf("allocation profile: %w", err)
	}
	runtime.GC() // the profile's in-use figures are as of the last collection
	err = pprof.Lookup("allocs").WriteTo(out, 0)
	return res, errors.Join(err, out.Close())
}
