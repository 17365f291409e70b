package middleware

import (
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/chatident/chatident/vendors"
)

func TestReleaseForgetsTheRequest(t *testing.T) {
	m := mustNew(t, Config{Vendors: []vendors.Vendor{&fakeVendor{name: "a"}, &fakeVendor{name: "b"}}})
	st := m.acquire(httptest.NewRecorder())
	st.now, st.nowSet = time.Now(), true
	st.visitor, st.known, st.resolved = vendors.Visitor{ID: "u-1"}, true, true
	st.built, st.attempted, st.failed = true, 2, 1
	st.script = append(st.script, "x"...)
	st.placed[1] = placedScript | placedReset

	m.release(st)

	want := &requestState{script: st.script[:0], placed: []uint8{0, 0}}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("released state = %+v, want only the empty buffers", st)
	}
}

func TestReleaseDropsLargeBuffers(t *testing.T) {
	m := mustNew(t, Config{Vendors: []vendors.Vendor{&fakeVendor{name: "a"}}})
	st := m.acquire(nil)
	st.script = make([]byte, maxPooledScript+1)
	m.release(st)
	if st.script != nil {
		t.Errorf("kept a %d-byte buffer in the pool", cap(st.script))
	}
}
