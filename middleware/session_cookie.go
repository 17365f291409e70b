package middleware

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/securecookie"

	"github.com/chatident/chatident/internal/memo"

	"github.com/chatident/chatident/vendors"
)

// SessionCookie is a Source that reads a session cookie an application wrote
// with gorilla/securecookie, such as
//
//	value, err := securecookie.New(hashKey, blockKey).Encode("session", session)
//
// where session is the application's own struct or map, T here. Lookup
// decodes and verifies the cookie with the same keys and hands the value to
// Visitor.
//
// Decoding is remembered by the exact cookie text until the cookie expires
// (MaxAge after the time written into it), so a visitor's later pages skip
// the HMAC, decryption and deserialisation; Visitor still runs on every
// request, on the remembered value, and must not modify it.
//
// Use it as a pointer (&SessionCookie[T]{...}) and do not change its fields
// after New: the codec is built once, on first use.
type SessionCookie[T any] struct {
	// Name is the cookie's name; securecookie signs it with the value, so it
	// must be the name given to Encode.
	Name string
	// HashKey authenticates the cookie (HMAC-SHA256); at least 32 bytes.
	HashKey []byte
	// BlockKey, when set, decrypts the cookie (AES); 16, 24 or 32 bytes.
	BlockKey []byte
	// PreviousKeys are keys HashKey and BlockKey replaced, newest first:
	// cookies encoded under them still decode, so rotating the application's
	// keys signs no one out. The application's codec should be
	// securecookie.CodecsFromPairs(new hash, new block, old hash, old
	// block, ...) with the same keys, encoding with the new ones; drop an
	// old pair here and there once MaxAge has passed since the change.
	PreviousKeys []CookieKeys
	// MaxAge is the age in seconds beyond which a cookie is refused, counted
	// from when it was encoded. 0 means securecookie's default of 30 days;
	// it should match the MaxAge of the application's own codec.
	MaxAge int
	// Serializer must match the application's codec; nil means
	// securecookie's default, encoding/gob.
	Serializer securecookie.Serializer
	// Visitor maps the decoded value to the visitor; false means the
	// session has no signed-in visitor (a guest session, say).
	Visitor func(T) (vendors.Visitor, bool)

	once   sync.Once
	codecs []*securecookie.SecureCookie // current keys first, then PreviousKeys
	// decoded remembers cookie values that decoded, by their exact text,
	// until securecookie would refuse them as expired: decoding (an HMAC, a
	// decryption, gob) costs several microseconds and a few dozen
	// allocations for a cookie that stays the same across a visitor's
	// pages. Only the decoding is remembered; Visitor runs on every request.
	decoded *memo.Cache[decodedSession[T]]
}

// CookieKeys is one pair of securecookie keys, as SessionCookie's HashKey
// and BlockKey.
type CookieKeys struct {
	// HashKey authenticates (HMAC-SHA256); at least 32 bytes.
	HashKey []byte
	// BlockKey, when set, decrypts (AES); 16, 24 or 32 bytes.
	BlockKey []byte
}

// errBadSession wraps every reason a session cookie is refused.
var errBadSession = errors.New("chatident: session cookie is not valid")

// Validate reports a configuration mistake; New calls it.
func (s *SessionCookie[T]) Validate() error {
	var errs []error
	if !validCookieName(s.Name) {
		errs = append(errs, fmt.Errorf("SessionCookie.Name %q is not a valid cookie name", s.Name))
	}
	if len(s.HashKey) < 32 {
		errs = append(errs, fmt.Errorf("SessionCookie.HashKey is %d bytes, want at least 32", len(s.HashKey)))
	}
	switch len(s.BlockKey) {
	case 0, 16, 24, 32:
	default:
		errs = append(errs, fmt.Errorf("SessionCookie.BlockKey is %d bytes, want 16, 24 or 32 (or none)", len(s.BlockKey)))
	}
	for i, k := range s.PreviousKeys {
		if len(k.HashKey) < 32 {
			errs = append(errs, fmt.Errorf("SessionCookie.PreviousKeys[%d].HashKey is %d bytes, want at least 32", i, len(k.HashKey)))
		}
		switch len(k.BlockKey) {
		case 0, 16, 24, 32:
		default:
			errs = append(errs, fmt.Errorf("SessionCookie.PreviousKeys[%d].BlockKey is %d bytes, want 16, 24 or 32 (or none)", i, len(k.BlockKey)))
		}
	}
	if s.MaxAge < 0 {
		errs = append(errs, errors.New("SessionCookie.MaxAge is negative"))
	}
	if s.Visitor == nil {
		errs = append(errs, errors.New("SessionCookie.Visitor is nil"))
	}
	return errors.Join(errs...)
}

// Lookup decodes the cookie. A missing cookie is (nil, nil); a cookie that
// does not verify, has expired or does not decode into T is an error.
func (s *SessionCookie[T]) Lookup(r *http.Request) (*vendors.Visitor, error) {
	raw, found := cookieValue(r.Header, s.Name) // as r.Cookie finds it
	if !found {
		return nil, nil
	}
	s.once.Do(s.build)
	value, err := s.decodeRemembered(raw)
	if err != nil {
		// securecookie's errors are fixed texts; after the MAC has verified,
		// a decoding error concerns the application's own value.
		return nil, fmt.Errorf("%w: %w", errBadSession, err)
	}
	v, ok := s.Visitor(value)
	if !ok {
		return nil, nil
	}
	return &v, nil
}

// decodedSession is a remembered decoding and the unix time after which
// securecookie would refuse the cookie as expired.
type decodedSession[T any] struct {
	value T
	until int64
}

// decodeRemembered is decode, remembered by the exact cookie text (see
// SessionCookie.decoded). A value that does not decode is never
// remembered, nor one whose timestamp cannot be read.
func (s *SessionCookie[T]) decodeRemembered(raw string) (T, error) {
	now := time.Now().Unix()
	if d, ok := s.decoded.GetString(raw); ok && now <= d.until {
		return d.value, nil
	}
	v, err := s.decode(raw)
	if err != nil {
		return v, err
	}
	maxAge := int64(s.MaxAge)
	if maxAge <= 0 {
		maxAge = 86400 * 30 // securecookie's default
	}
	if ts, ok := cookieTimestamp(raw); ok {
		s.decoded.PutString(raw, decodedSession[T]{value: v, until: ts + maxAge})
	}
	return v, nil
}

// decode tries the current keys, then each previous pair. The error
// reported is the first that is not a MAC mismatch (the cookie is malformed,
// or verified under some keys but expired or not of type T), else the
// current keys'.
func (s *SessionCookie[T]) decode(value string) (T, error) {
	var first, verified error
	for i, c := range s.codecs {
		var v T
		err := c.Decode(s.Name, value, &v)
		if err == nil {
			return v, nil
		}
		if i == 0 {
			first = err
		}
		if verified == nil && !errors.Is(err, securecookie.ErrMacInvalid) {
			verified = err
		}
	}
	var zero T
	if verified != nil {
		return zero, verified
	}
	return zero, first
}

func (s *SessionCookie[T]) build() {
	s.decoded = memo.New[decodedSession[T]](DefaultMemoSize)
	s.codecs = append(s.codecs, s.codec(s.HashKey, s.BlockKey))
	for _, k := range s.PreviousKeys {
		s.codecs = append(s.codecs, s.codec(k.HashKey, k.BlockKey))
	}
}

// codec makes one codec with the cookie's MaxAge and Serializer.
func (s *SessionCookie[T]) codec(hashKey, blockKey []byte) *securecookie.SecureCookie {
	if len(blockKey) == 0 {
		blockKey = nil
	}
	c := securecookie.New(hashKey, blockKey)
	if s.MaxAge > 0 {
		c.MaxAge(s.MaxAge)
	}
	if s.Serializer != nil {
		c.SetSerializer(s.Serializer)
	}
	return c
}

// validCookieName reports whether name is a non-empty RFC 6265 token.
func validCookieName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}
