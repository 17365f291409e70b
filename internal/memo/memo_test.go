package memo

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
)

func TestGetPutAndBound(t *testing.T) {
	c := New[string](64)
	for i := range 1000 {
		k := []byte("key-" + strconv.Itoa(i))
		c.Put(k, "v-"+strconv.Itoa(i))
		if v, ok := c.Get(k); !ok || v != "v-"+strconv.Itoa(i) {
			t.Fatalf("Get(%s) = %q, %v right after Put", k, v, ok)
		}
	}
	if n := c.Len(); n > 2*64+2*shards {
		t.Errorf("%d entries held, want at most about twice 64", n)
	}
	if _, ok := c.Get([]byte("key-0")); ok {
		t.Error("the oldest entry is still there")
	}
	var off *Cache[string]
	off.Put([]byte("k"), "v")
	if _, ok := off.Get([]byte("k")); ok || New[string](0) != nil {
		t.Error("a disabled memo remembers")
	}
	long := make([]byte, MaxKey+1)
	c.Put(long, "v")
	if _, ok := c.Get(long); ok {
		t.Error("a key longer than MaxKey was kept")
	}
}

// TestKeysCompareInFull: keys that share a shard, a prefix or a length are
// different keys.
func TestKeysCompareInFull(t *testing.T) {
	c := New[string](1024)
	keys := []string{"a", "ab", "abc", "abd", "b", "ba", "\x00", "\x00\x00", ""}
	for _, k := range keys {
		c.PutString(k, "v:"+k)
	}
	for _, k := range keys {
		if v, ok := c.Get([]byte(k)); !ok || v != "v:"+k {
			t.Errorf("Get(%q) = %q, %v", k, v, ok)
		}
	}
}

// TestConcurrentVisitorsNeverMix: many goroutines, each a distinct visitor,
// put and get their own values through a memo small enough to evict all the
// time (run with -race). A visitor must only ever see its own value.
func TestConcurrentVisitorsNeverMix(t *testing.T) {
	c := New[string](32)
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := range 32 {
		wg.Go(func() {
			for i := range 2000 {
				id := fmt.Sprintf("visitor-%d-%d", g, i%50)
				want := "value-of-" + id
				if v, ok := c.Get([]byte(id)); ok && v != want {
					select {
					case errs <- fmt.Sprintf("%s got %s", id, v):
					default:
					}
					return
				}
				c.Put([]byte(id), want)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
