package site

import (
	"bytes"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func TestLoadSecretsGiven(t *testing.T) {
	env := testEnv()
	s, generated, err := LoadSecrets(func(k string) string { return env[k] }, iotest.ErrReader(errors.New("no randomness needed")))
	if err != nil {
		t.Fatal(err)
	}
	if len(generated) != 0 {
		t.Errorf("generated %v, want none", generated)
	}
	want := testSecrets()
	for i, got := range s.list() {
		if !bytes.Equal(got, want.list()[i]) {
			t.Errorf("secret %d = %q, want %q", i, got, want.list()[i])
		}
	}
}

func TestLoadSecretsGeneratesMissing(t *testing.T) {
	env := testEnv()
	delete(env, envEdnaKey)
	env[envZendeskSecret] = "" // empty counts as unset
	random := make([]byte, 64)
	for i := range random {
		random[i] = byte(i)
	}
	s, generated, err := LoadSecrets(func(k string) string { return env[k] }, bytes.NewReader(random))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{envEdnaKey, envZendeskSecret}; !slices.Equal(generated, want) {
		t.Errorf("generated %v, want %v", generated, want)
	}
	// Each generated secret is the hex text of the next 32 random bytes.
	if got, want := string(s.EdnaKey), "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"; got != want {
		t.Errorf("edna key = %q, want %q", got, want)
	}
	if got, want := string(s.ZendeskSecret), "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"; got != want {
		t.Errorf("zendesk secret = %q, want %q", got, want)
	}
	if !bytes.Equal(s.WebimKey, testSecrets().WebimKey) {
		t.Errorf("the given webim key was not kept")
	}
}

func TestLoadSecretsRefusesShortSessionKey(t *testing.T) {
	env := testEnv()
	env[envSessionKey] = "short-test-key-not-a-secret"
	_, _, err := LoadSecrets(func(k string) string { return env[k] }, bytes.NewReader(nil))
	if err == nil {
		t.Fatal("a 27-byte session key was accepted")
	}
	if !strings.Contains(err.Error(), envSessionKey) {
		t.Errorf("error %q does not name %s", err, envSessionKey)
	}
	if strings.Contains(err.Error(), env[envSessionKey]) {
		t.Errorf("error %q shows the key", err)
	}
}

func TestLoadSecretsRandomFailure(t *testing.T) {
	boom := errors.New("no entropy")
	_, _, err := LoadSecrets(func(string) string { return "" }, iotest.ErrReader(boom))
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want it to wrap %v", err, boom)
	}
}

// The derived keys are part of the demo's documented contract; these vectors
// were computed with Python's hmac module:
//
//	python3 -c 'import hmac,hashlib; print(hmac.new(b"test-webim-key-not-a-secret-0123456789", b"chatident demo webim id key", hashlib.sha256).hexdigest())'
//	python3 -c 'import hmac,hashlib; print(hmac.new(b"test-session-key-not-a-secret-0123456789abcdef", b"chatident demo sign-out marker key", hashlib.sha256).hexdigest())'
func TestDerivedKeys(t *testing.T) {
	s := testSecrets()
	if got, want := hex.EncodeToString(s.WebimIDKey()), "12857dead1ad1292c270532f0f7e31c4c30a9362a88e5c7c438da3fd56b5aef2"; got != want {
		t.Errorf("WebimIDKey = %s, want %s", got, want)
	}
	if got, want := hex.EncodeToString(s.SignOutKey()), "397b5ed1892e90a1829039fa06077c5d86075d66680a4b3c324f7045213823b7"; got != want {
		t.Errorf("SignOutKey = %s, want %s", got, want)
	}
}
