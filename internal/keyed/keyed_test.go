package keyed

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
)

const testKey = "keyed-test-key-not-a-secret-0123456789"

// TestVector: one value computed outside Go.
func TestVector(t *testing.T) {
	// printf 'user-42' | openssl dgst -sha256 -hmac 'keyed-test-key-not-a-secret-0123456789'
	const want = "dc4c1a26ed15bd9b41489c13af49b23c7fc3103aa0fb35e18a814f6184f3eb1a"
	for _, size := range []int{64, 0} {
		m := New([]byte(testKey), size)
		for range 3 { // the first call computes, the later ones may be remembered
			if got := m.Hex("user-42"); got != want {
				t.Errorf("memo %d: Hex = %s, want %s", size, got, want)
			}
			if got := m.Sum("user-42"); hex.EncodeToString(got[:]) != want {
				t.Errorf("memo %d: Sum = %x, want %s", size, got, want)
			}
			if got := m.HexPrefixed("u", "user-42"); got != "u"+want {
				t.Errorf("memo %d: HexPrefixed = %s, want u%s", size, got, want)
			}
		}
	}
}

// TestRememberedValuesAreTheMessagesOwn: many goroutines sign distinct
// messages through a memo small enough to evict all the time (run with
// -race); every result, computed or remembered, is the HMAC of exactly that
// message, checked with crypto/hmac.
func TestRememberedValuesAreTheMessagesOwn(t *testing.T) {
	m := New([]byte(testKey), 16)
	want := func(msg string) []byte {
		h := hmac.New(sha256.New, []byte(testKey))
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 400 {
				msg := fmt.Sprintf("visitor-%d-%d", g, i%23)
				w := want(msg)
				sum := m.Sum(msg)
				if m.Hex(msg) != hex.EncodeToString(w) || m.HexBytes([]byte(msg)) != hex.EncodeToString(w) || !hmac.Equal(sum[:], w) {
					select {
					case errs <- msg:
					default:
					}
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Errorf("%s: a value not made for this message", msg)
	}
}
