package middleware

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"hash"
	"net/http"
	"strings"
	"sync"

	"github.com/gorilla/securecookie"
)

// Sign-out hygiene.
//
// A page that shows an identified visitor's chat also sets a marker cookie:
// signed with SignOut.HashKey (securecookie), holding an opaque HMAC of the
// visitor's ID and nothing else. When the same browser later gets an eligible
// HTML page anonymously, or as a different visitor, the marker says the
// widgets still hold someone's identity: that page carries every vendor's
// Reset script before anything else, and the marker is expired (or replaced
// by the new visitor's). The server keeps no state.
//
// Edge cases users should know, also stated on SignOut:
//   - the marker is consumed when the page's script is built, which is when
//     the response is known to be eligible HTML and its headers are still
//     held; a page that then turns out to have no place for the script
//     (no <head>, say) still consumes it, and its resets are lost;
//   - pages built at the same time, before the browser has the expired
//     marker, each carry the resets;
//   - when every vendor's Reset fails, the marker is kept and the next page
//     tries again;
//   - with no HashKey, the key is random per process: markers set before a
//     restart no longer verify, so those browsers get no reset after it
//     (the stale marker is cleared, or replaced on the next identified page);
//   - markers signed with a key in PreviousHashKeys still verify and still
//     reset; the next identified page re-signs them with HashKey.

// markerMaxAge is the marker's lifetime in seconds, in the browser and in
// securecookie's timestamp check. It is set once and not refreshed, so a
// visitor last shown a page more than this long ago gets no reset.
const markerMaxAge = 30 * 24 * 60 * 60

type signOut struct {
	name   string
	secure SecureMode
	codec  *securecookie.SecureCookie
	idKey  []byte // HMAC key for visitor IDs, derived from the hash key

	// previous are the keys of SignOut.PreviousHashKeys: markers they
	// signed still verify, and are re-signed under the current key.
	previous []markerKey

	// idMACs holds keyed HMAC states under idKey: hmac.New hashes the key
	// into its pads and allocates both digests, and every identified page
	// hashes its visitor, so a Reset state is reused instead.
	idMACs sync.Pool
}

// markerKey is one previous marker key: its codec and its visitor-ID key.
type markerKey struct {
	codec *securecookie.SecureCookie
	idKey []byte
}

// marker is what a request's marker cookie says.
type marker int

const (
	markerAbsent  marker = iota // no cookie
	markerInvalid               // a cookie that does not verify (tampered, expired, unknown key)
	markerValid                 // a cookie signed with the current key or a previous one
)

func newSignOut(cfg SignOut) *signOut {
	key := cfg.HashKey
	if len(key) == 0 {
		key = make([]byte, 32)
		rand.Read(key) // never fails (crypto/rand, Go 1.24+)
	}
	name := cfg.CookieName
	if name == "" {
		name = DefaultSignOutCookie
	}
	cur := newMarkerKey(key)
	s := &signOut{
		name:   name,
		secure: cfg.Secure,
		codec:  cur.codec,
		idKey:  cur.idKey,
	}
	for _, k := range cfg.PreviousHashKeys {
		s.previous = append(s.previous, newMarkerKey(k))
	}
	s.idMACs.New = func() any { return &idMAC{h: hmac.New(sha256.New, s.idKey)} }
	return s
}

// newMarkerKey builds the codec and visitor-ID key for one hash key.
func newMarkerKey(key []byte) markerKey {
	key = append([]byte(nil), key...) // the caller's slice may change later
	// The visitor-ID key is derived rather than reused, so that the same key
	// never serves two HMAC constructions.
	h := hmac.New(sha256.New, key)
	h.Write([]byte("chatident sign-out marker: visitor id"))
	return markerKey{
		codec: securecookie.New(key, nil).SetSerializer(securecookie.NopEncoder{}).MaxAge(markerMaxAge),
		idKey: h.Sum(nil),
	}
}

// read returns the state of r's marker and, when valid, the visitor hash it
// holds and the key that signed it: nil for the current key, else the
// previous key.
func (s *signOut) read(r *http.Request) (marker, []byte, *markerKey) {
	c, err := r.Cookie(s.name)
	if err != nil {
		return markerAbsent, nil, nil
	}
	var hash []byte
	if err := s.codec.Decode(s.name, c.Value, &hash); err == nil && len(hash) == sha256.Size {
		return markerValid, hash, nil
	}
	for i := range s.previous {
		k := &s.previous[i]
		hash = nil
		if err := k.codec.Decode(s.name, c.Value, &hash); err == nil && len(hash) == sha256.Size {
			return markerValid, hash, k
		}
	}
	return markerInvalid, nil, nil
}

// visitorHash is the opaque form of a visitor ID the marker holds.
func (s *signOut) visitorHash(id string) []byte {
	m := s.idMACs.Get().(*idMAC)
	// Copied into the state's own buffer: converting id would allocate,
	// since whatever reaches the hash.Hash interface escapes.
	m.msg = append(m.msg[:0], id...)
	m.h.Reset()
	m.h.Write(m.msg)
	sum := m.h.Sum(nil)
	if cap(m.msg) > maxPooledID {
		m.msg = nil // one unusually long id is not kept
	}
	s.idMACs.Put(m)
	return sum
}

// idMAC is a pooled visitor-hash state and its message buffer.
type idMAC struct {
	h   hash.Hash
	msg []byte
}

// maxPooledID bounds the id buffer a pooled state keeps.
const maxPooledID = 1024

// set marks the browser as shown the visitor with hash. It writes to w's
// headers, which inject still holds when it asks for the script.
func (s *signOut) set(w http.ResponseWriter, r *http.Request, hash []byte) error {
	value, err := s.codec.Encode(s.name, hash)
	if err != nil {
		return err
	}
	http.SetCookie(w, s.cookie(r, value, markerMaxAge))
	return nil
}

// expire removes the marker from the browser.
func (s *signOut) expire(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, s.cookie(r, "", -1))
}

func (s *signOut) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     s.name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		Secure:   s.isSecure(r),
	}
}

// isSecure reports whether the marker set in answer to r is Secure, as
// SignOut.Secure says.
func (s *signOut) isSecure(r *http.Request) bool {
	switch {
	case r.TLS != nil || s.secure == SecureAlways:
		return true
	case s.secure == SecureByForwardedProto:
		return forwardedHTTPS(r.Header)
	}
	// Behind a TLS-terminating proxy r.TLS is nil: SecureByRequest cannot
	// tell, and says no.
	return false
}

// forwardedHTTPS reports whether h carries at least one protocol a proxy
// forwarded (X-Forwarded-Proto, or proto= in Forwarded, RFC 7239) and all
// of them are "https". A chain of proxies may list several; one hop over
// plain HTTP, or a value that cannot be read, means the browser's request
// may not have been over TLS, and a Secure marker would then be refused.
func forwardedHTTPS(h http.Header) bool {
	seen := false
	for _, line := range h.Values("X-Forwarded-Proto") {
		for _, v := range strings.Split(line, ",") {
			if !strings.EqualFold(strings.TrimSpace(v), "https") {
				return false
			}
			seen = true
		}
	}
	for _, line := range h.Values("Forwarded") {
		for _, elem := range strings.Split(line, ",") {
			for _, pair := range strings.Split(elem, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "proto") {
					continue
				}
				v = strings.TrimSpace(v)
				if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
					v = v[1 : len(v)-1]
				}
				if !strings.EqualFold(v, "https") {
					return false
				}
				seen = true
			}
		}
	}
	return seen
}

// signOutPlan is what one page does about sign-out, decided before the
// scripts are built and completed after.
type signOutPlan struct {
	mark    marker
	same    bool   // the marker holds this visitor's hash
	stale   bool   // the marker verified under a previous key
	visitor []byte // this visitor's hash, when identified
	resets  bool   // the page carries the vendors' resets
}

// plan reads the marker and decides whether this page resets the widgets:
// yes when the marker is valid and the visitor is anonymous or someone else.
// A marker under a previous key is compared with the visitor's hash under
// that key.
func (s *signOut) plan(r *http.Request, id string, known bool) signOutPlan {
	var p signOutPlan
	var held []byte
	var old *markerKey
	p.mark, held, old = s.read(r)
	p.stale = old != nil
	if known {
		p.visitor = s.visitorHash(id)
		if p.mark == markerValid {
			mine := p.visitor
			if old != nil {
				h := hmac.New(sha256.New, old.idKey)
				h.Write([]byte(id))
				mine = h.Sum(nil)
			}
			p.same = hmac.Equal(held, mine)
		}
	}
	p.resets = p.mark == markerValid && !p.same
	return p
}

// finish sets or expires the marker after the page's scripts were built.
// identified says an identity script is in the page; consumed says the
// resets were emitted (not every vendor's Reset failed).
func (s *signOut) finish(w http.ResponseWriter, r *http.Request, p signOutPlan, identified, consumed bool) error {
	switch {
	case identified:
		// A marker under a previous key is re-signed, so that it outlives
		// the removal of that key.
		if !p.same || p.stale {
			return s.set(w, r, p.visitor)
		}
	case consumed:
		s.expire(w, r)
	case p.mark == markerInvalid && p.visitor == nil:
		// An anonymous page with a marker that no longer verifies: nothing
		// to reset that we can trust, but no reason to keep the cookie.
		s.expire(w, r)
	}
	return nil
}
