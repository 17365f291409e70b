package vendors

import (
	"github.com/chatident/chatident/internal/keyed"
	"sync"
	"testing"
)

// Vectors from python3:
//
//	python3 -c "import hmac,hashlib; print(hmac.new(b'test-key-not-a-secret-0123456789abcdef', b'user-42', hashlib.sha256).hexdigest())"
//	python3 -c "import hmac,hashlib; print(hmac.new(b'other-test-key-not-a-secret-0123456789', b'user-42', hashlib.sha256).hexdigest())"
const (
	poolKeyA    = "test-key-not-a-secret-0123456789abcdef"
	poolKeyB    = "other-test-key-not-a-secret-0123456789"
	poolVectorA = "709aee70c815c128cf0211d4269decdf1c3d0676170918eba6176cac69cd3228"
	poolVectorB = "d456adcc308ffe5efec05334c2d37151f4b5373ddcfd8d163b77cdd45bb77e48"
)

func TestHMACStatesReuseGivesTheSameSum(t *testing.T) {
	var c hmacStates
	c.prepare(16, []byte(poolKeyA))
	// Several rounds, so that a state that was not Reset would show.
	for i := range 3 {
		if got := c.hex([]byte(poolKeyA), "user-42"); got != poolVectorA {
			t.Fatalf("round %d: %s, want %s", i, got, poolVectorA)
		}
	}
}

func TestHMACStatesUnpreparedKeyIsComputedAfresh(t *testing.T) {
	var unprepared hmacStates
	if got := unprepared.hex([]byte(poolKeyA), "user-42"); got != poolVectorA {
		t.Errorf("unprepared: %s, want %s", got, poolVectorA)
	}
	var c hmacStates
	c.prepare(16, []byte(poolKeyA))
	if got := c.hex([]byte(poolKeyB), "user-42"); got != poolVectorB {
		t.Errorf("other key: %s, want %s", got, poolVectorB)
	}
}

// A vendor value copied after use, then given another key, must sign with
// the new key although the copy shares the old key's states.
func TestHMACStatesCopyWithChangedKey(t *testing.T) {
	orig := &Edna{IDKey: []byte(poolKeyA)}
	if _, err := orig.Prepare(Setup{Endpoints: "/e/", MemoSize: 16}); err != nil {
		t.Fatal(err)
	}
	cp := *orig
	cp.IDKey = []byte(poolKeyB)
	if _, err := cp.Prepare(Setup{Endpoints: "/e/", MemoSize: 16}); err != nil {
		t.Fatal(err)
	}
	if got := opaqueID(&cp.macs, cp.IDKey, "user-42"); got != poolVectorB {
		t.Errorf("copy: %s, want %s", got, poolVectorB)
	}
	if got := opaqueID(&orig.macs, orig.IDKey, "user-42"); got != poolVectorA {
		t.Errorf("original: %s, want %s", got, poolVectorA)
	}
	// The key's bytes changed in place after use: still the right sum.
	key := []byte(poolKeyA)
	inPlace := &Edna{IDKey: key}
	if _, err := inPlace.Prepare(Setup{Endpoints: "/e/", MemoSize: 16}); err != nil {
		t.Fatal(err)
	}
	copy(key, poolKeyB)
	want := keyed.Hex(key, []byte("user-42"))
	if got := opaqueID(&inPlace.macs, inPlace.IDKey, "user-42"); got != want {
		t.Errorf("key changed in place: %s, want %s", got, want)
	}
}

// Run under -race: first Validate and use from many goroutines at once.
func TestHMACStatesConcurrentFirstUse(t *testing.T) {
	w := &Webim{PrivateKey: []byte(poolKeyB), IDKey: []byte(poolKeyA)}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := w.Prepare(Setup{Endpoints: "/e/", MemoSize: 16}); err != nil {
				t.Error(err)
				return
			}
			if got := opaqueID(&w.macs, w.IDKey, "user-42"); got != poolVectorA {
				t.Errorf("%s, want %s", got, poolVectorA)
			}
		})
	}
	wg.Wait()
}

// A long message, then a short one from the same (possibly reused) state:
// the short one must not see the long one's tail.
func TestHMACStatesLongThenShortMessage(t *testing.T) {
	var c hmacStates
	c.prepare(16, []byte(poolKeyA))
	long := string(make([]byte, 3*1024))
	if got, want := c.hex([]byte(poolKeyA), long), keyed.Hex([]byte(poolKeyA), []byte(long)); got != want {
		t.Errorf("long: %s, want %s", got, want)
	}
	if got := c.hex([]byte(poolKeyA), "user-42"); got != poolVectorA {
		t.Errorf("short after long: %s, want %s", got, poolVectorA)
	}
	if got := c.hexBytes([]byte(poolKeyA), []byte("user-42")); got != poolVectorA {
		t.Errorf("hexBytes: %s, want %s", got, poolVectorA)
	}
}

// userHashHex is the rule Intercom's user_hash and Front's userHash share:
// the user id is signed when there is one, else the e-mail.
//
//	printf '%s' user-42 | openssl dgst -sha256 -hmac 'test-key-not-a-secret-0123456789abcdef'
//	printf '%s' ann@example.com | openssl dgst -sha256 -hmac 'test-key-not-a-secret-0123456789abcdef'
func TestUserHashHexSignsIDElseEmail(t *testing.T) {
	const emailVector = "061a4e3634a92f9b999a27fcd9293bf0ad649d93e431bcca2087baf99bba3c4c"
	var pooled hmacStates
	pooled.prepare(8, []byte(poolKeyA))
	for _, c := range []*hmacStates{{}, &pooled} {
		if got := c.userHashHex([]byte(poolKeyA), "user-42", "ann@example.com"); got != poolVectorA {
			t.Errorf("with a user id: %s, want %s (the id's HMAC)", got, poolVectorA)
		}
		if got := c.userHashHex([]byte(poolKeyA), "", "ann@example.com"); got != emailVector {
			t.Errorf("without a user id: %s, want %s (the e-mail's HMAC)", got, emailVector)
		}
	}
}
