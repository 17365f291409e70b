package main

import (
	"testing"

	"github.com/chatident/chatident/internal/testenv"
)

func TestProcStatusFields(t *testing.T) {
	status := []byte("Name:\tloadtest\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\nThreads:\t8\n")
	got, err := procStatusFields(status, "VmRSS", "VmHWM")
	if err != nil || got[0] != 10<<20 || got[1] != 20<<20 {
		t.Fatalf("got %v, %v; want 10 MiB and 20 MiB", got, err)
	}
	if _, err := procStatusFields(status, "VmSwap"); err == nil {
		t.Errorf("a missing field: no error")
	}
	if _, err := procStatusFields([]byte("VmRSS:\t10240 pages\n"), "VmRSS"); err == nil {
		t.Errorf("an unknown unit: no error")
	}
	if _, err := procStatusFields([]byte("VmRSS:\t-1 kB\n"), "VmRSS"); err == nil {
		t.Errorf("a negative size: no error")
	}
}

func TestReadMemory(t *testing.T) {
	m := readMemory("now")
	if m.HeapInuse == 0 {
		t.Errorf("no Go heap in use: %+v", m)
	}
	testenv.Require(t, testenv.Exists("/proc/self/status"), "/proc/self/status", "resident memory is read from Linux's /proc")
	if m.Err != nil || m.RSS == 0 || m.PeakRSS < m.RSS {
		t.Errorf("reading: %+v", m)
	}
}
