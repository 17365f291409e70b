package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
)

// memory is one reading of the process's memory.
type memory struct {
	Label     string
	RSS       uint64 // VmRSS, bytes; 0 when /proc is not available
	PeakRSS   uint64 // VmHWM, the highest VmRSS so far, bytes
	HeapInuse uint64 // Go heap spans in use, bytes
	Err       error  // why RSS and PeakRSS are missing, if they are
}

// readMemory reads /proc/self/status and the Go runtime's statistics. It
// does not force a collection: the heap is what the load left in it.
func readMemory(label string) memory {
	m := memory{Label: label}
	var st runtime.MemStats
	runtime.ReadMemStats(&st)
	m.HeapInuse = st.HeapInuse
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		m.Err = fmt.Errorf("reading resident memory: %w", err)
		return m
	}
	fields, err := procStatusFields(status, "VmRSS", "VmHWM")
	if err != nil {
		m.Err = err
		return m
	}
	m.RSS, m.PeakRSS = fields[0], fields[1]
	return m
}

// procStatusFields returns the named "kB" fields of a /proc/PID/status
// text, in bytes, in the order asked.
func procStatusFields(status []byte, names ...string) ([]uint64, error) {
	out := make([]uint64, len(names))
	found := make([]bool, len(names))
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		name, rest, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok {
			continue
		}
		for i, want := range names {
			if string(name) != want {
				continue
			}
			f := bytes.Fields(rest)
			if len(f) != 2 || string(f[1]) != "kB" {
				return nil, fmt.Errorf("/proc status field %s: unexpected value %q", want, rest)
			}
			kb, err := strconv.ParseUint(string(f[0]), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("/proc status field %s: %w", want, err)
			}
			out[i], found[i] = kb<<10, true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("/proc status: %w", err)
	}
	for i, ok := range found {
		if !ok {
			return nil, fmt.Errorf("/proc status has no %s field", names[i])
		}
	}
	return out, nil
}
