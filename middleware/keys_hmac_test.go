package middleware

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/chatident/chatident/vendors"
)

// TestNewRefusesHMACEquivalentKeys: HMAC pads a short key with zero bytes
// and replaces a key longer than the hash's block with its hash, so a key
// with zero bytes appended, or a long key and its SHA-256, are the same
// HMAC-SHA256 key in other bytes. Given to two vendors, they make the same
// opaque ids (edna's bearer clientId would be Webim's id), so New refuses
// them as it refuses equal bytes.
//
// The equivalence, computed independently:
//
//	python3 -c "import hmac,hashlib;k=b'edna-and-webim-key-not-a-secret-0123456789';print(hmac.new(k,b'12345',hashlib.sha256).hexdigest(), hmac.new(k+b'\x00\x00',b'12345',hashlib.sha256).hexdigest())"
//	→ 5c36c891403d249d54bbe6edf9d27153bb08d4b058b54d99c8e4aeb32e91b327 (both)
//	python3 -c "import hmac,hashlib;L=b'a-long-key-not-a-secret-'*4;print(hmac.new(L,b'12345',hashlib.sha256).hexdigest(), hmac.new(hashlib.sha256(L).digest(),b'12345',hashlib.sha256).hexdigest())"
//	→ ed3cdccb71c00d5dd84dabe728291cbfecc2e6dcfb5303e3c10461cfe19acf28 (both)
func TestNewRefusesHMACEquivalentKeys(t *testing.T) {
	k := []byte("edna-and-webim-key-not-a-secret-0123456789")
	long := []byte(strings.Repeat("a-long-key-not-a-secret-", 4))
	longSum := sha256.Sum256(long)
	for _, tc := range []struct {
		name       string
		webim, ed  []byte
		wantRefuse bool
	}{
		{"zero bytes appended", k, append(append([]byte(nil), k...), 0, 0), true},
		{"one zero byte appended", append(append([]byte(nil), k...), 0), k, true},
		{"a long key and its SHA-256", long, longSum[:], true},
		{"a long key and its SHA-256 with a zero byte", long, append(longSum[:], 0), true},
		{"distinct keys", k, long, false},
		{"a key and a prefix of it", k, k[:len(k)-1], false},
	} {
		_, err := New(Config{Vendors: []vendors.Vendor{
			&vendors.Webim{PrivateKey: []byte("webim-private-key-not-a-secret-0123"), IDKey: tc.webim},
			&vendors.Edna{IDKey: tc.ed},
		}})
		switch {
		case tc.wantRefuse && err == nil:
			t.Errorf("%s: New accepted two HMAC-equivalent keys", tc.name)
		case tc.wantRefuse && !strings.Contains(err.Error(), "Config.Vendors[1] (edna).IDKey") ||
			tc.wantRefuse && !strings.Contains(err.Error(), "Config.Vendors[0] (webim).IDKey"):
			t.Errorf("%s: %v, want both fields named", tc.name, err)
		case !tc.wantRefuse && err != nil:
			t.Errorf("%s: New: %v", tc.name, err)
		}
	}
}
