package middleware

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/securecookie"

	"github.com/chatident/chatident/internal/keyed"
	"github.com/chatident/chatident/internal/memo"
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
//   - the marker is consumed (or set) on the page's headers only when they
//     promise the script: the marker was found while the headers were held
//     (inject.Inserted). A page that has no place for the script (no <head>,
//     say) leaves the marker for the next page. The one case where a reset
//     can be consumed without being placed: the headers had to go before the
//     marker was found (the application flushed, or more than MaxHeld bytes
//     came first: inject.Maybe) and the marker then never came;
//   - pages built at the same time, before the browser has the expired
//     marker, each carry the resets;
//   - when every vendor's Reset fails, the marker is kept and the next page
//     tries again;
//   - with no HashKey, the key is random per process: markers set before a
//     restart no longer verify, so those browsers get no reset after it
//     (the stale marker is cleared, or replaced on the next identified page);
//   - markers signed with a key in PreviousHashKeys still verify and still
//     reset; the next identified page re-signs them with HashKey.
//   - a speculative prefetch (prefetchOnly) carries the resets but never
//     consumes them: the browser may keep its response without ever showing
//     it, and a reset that never runs leaves the previous visitor's chat
//     open, while one that runs twice is harmless.

// markerMaxAge is the marker's lifetime in seconds, in the browser and in
// securecookie's timestamp check. It is set once and not refreshed, so a
// visitor last shown a page more than this long ago gets no reset.
const markerMaxAge = 30 * 24 * 60 * 60

type signOut struct {
	name   string
	secure SecureMode
	codec  *securecookie.SecureCookie
	// ids hashes visitor IDs under the key derived from the hash key, with
	// its memo: every identified page hashes its visitor.
	ids *keyed.MAC
	// checked remembers marker values that verified under the current key,
	// by their exact text, with the time they stop being valid:
	// securecookie's check costs a keyed HMAC state and a dozen
	// allocations, for a cookie that stays the same for 30 days.
	checked *memo.Cache[checkedMarker]

	// previous are the keys of SignOut.PreviousHashKeys: markers they
	// signed still verify, and are re-signed under the current key.
	previous []markerKey
}

// checkedMarker is a marker value that verified: the visitor hash it holds
// and the unix time after which securecookie would refuse it as expired.
type checkedMarker struct {
	hash  [sha256.Size]byte
	until int64
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

func newSignOut(cfg SignOut, memoSize int) *signOut {
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
		name:    name,
		secure:  cfg.Secure,
		codec:   cur.codec,
		ids:     keyed.New(cur.idKey, memoSize),
		checked: memo.New[checkedMarker](memoSize),
	}
	for _, k := range cfg.PreviousHashKeys {
		s.previous = append(s.previous, newMarkerKey(k))
	}
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

// read returns the state of r's marker at unix time now and, when valid,
// the visitor hash it holds and the key that signed it: nil for the current
// key, else the previous key. A value that verified under the current key
// is remembered (see checked) until it expires.
func (s *signOut) read(r *http.Request, now int64) (marker, [sha256.Size]byte, *markerKey) {
	var hash [sha256.Size]byte
	value, found := cookieValue(r.Header, s.name)
	if !found {
		return markerAbsent, hash, nil
	}
	if m, ok := s.checked.GetString(value); ok && now <= m.until {
		return markerValid, m.hash, nil
	}
	var held []byte
	if err := s.codec.Decode(s.name, value, &held); err == nil && len(held) == sha256.Size {
		copy(hash[:], held)
		if ts, ok := cookieTimestamp(value); ok {
			until := ts + markerMaxAge
			s.checked.PutString(value, checkedMarker{hash: hash, until: until})
		}
		return markerValid, hash, nil
	}
	for i := range s.previous {
		k := &s.previous[i]
		held = nil
		if err := k.codec.Decode(s.name, value, &held); err == nil && len(held) == sha256.Size {
			copy(hash[:], held)
			return markerValid, hash, k
		}
	}
	return markerInvalid, hash, nil
}

// cookieValue returns the value of the first cookie named name in the
// Cookie header lines of h, as http.Request.Cookie finds it, without
// allocating: parts are split at ';' and trimmed of ASCII white space, the
// name is trimmed too and matched exactly; a value in double quotes loses
// them; a value with a byte net/http refuses is skipped; and a request with
// more cookies than net/http reads has none.
func cookieValue(h http.Header, name string) (string, bool) {
	lines := h["Cookie"]
	n := 0
	for _, line := range lines {
		n += strings.Count(line, ";") + 1
	}
	if n > maxCookies {
		return "", false
	}
	for _, line := range lines {
		for part := range strings.SplitSeq(line, ";") {
			k, v, _ := strings.Cut(trimASCIISpace(part), "=")
			if trimASCIISpace(k) != name {
				continue
			}
			if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			if validCookieValue(v) {
				return v, true
			}
		}
	}
	return "", false
}

// maxCookies is net/http's default limit on the cookies it reads from one
// request (GODEBUG httpcookiemaxnum).
const maxCookies = 3000

// trimASCIISpace is textproto.TrimString: ASCII space, tab, CR and LF off
// both ends.
func trimASCIISpace(s string) string {
	for len(s) > 0 && isASCIISpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isASCIISpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isASCIISpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// validCookieValue is net/http's rule for the bytes of a cookie value.
func validCookieValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; b < 0x20 || b >= 0x7f || b == '"' || b == ';' || b == '\\' {
			return false
		}
	}
	return true
}

// cookieTimestamp returns the time securecookie wrote into a value that has
// just verified: the first field of the base64-encoded "date|value|mac".
// securecookie refuses the value once that time is MaxAge in the past.
func cookieTimestamp(value string) (int64, bool) {
	raw, err := base64.URLEncoding.DecodeString(value)
	if err != nil {
		return 0, false
	}
	date, _, ok := strings.Cut(string(raw), "|")
	if !ok {
		return 0, false
	}
	t, err := strconv.ParseInt(date, 10, 64)
	if err != nil {
		return 0, false
	}
	return t, true
}

// visitorHash is the opaque form of a visitor ID the marker holds.
func (s *signOut) visitorHash(id string) [sha256.Size]byte { return s.ids.Sum(id) }

// set marks the browser as shown the visitor with hash, on the held
// headers h.
func (s *signOut) set(h http.Header, r *http.Request, hash [sha256.Size]byte) error {
	value, err := s.codec.Encode(s.name, hash[:])
	if err != nil {
		return err
	}
	addCookie(h, s.cookie(r, value, markerMaxAge))
	return nil
}

// expire removes the marker from the browser.
func (s *signOut) expire(h http.Header, r *http.Request) {
	addCookie(h, s.cookie(r, "", -1))
}

// addCookie is http.SetCookie on a header map.
func addCookie(h http.Header, c *http.Cookie) {
	if v := c.String(); v != "" {
		h.Add("Set-Cookie", v)
	}
}

func (s *signOut) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     s.name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		Secure:   s.isSecure(r) || securePrefixed(s.name),
	}
}

// securePrefixed reports whether a cookie name starts with __Secure- or
// __Host- (ASCII case-insensitively, as browsers now compare them): a
// browser keeps such a cookie only when it is Secure, whatever the request
// behind a TLS-terminating proxy looked like, so the marker is always
// Secure then. (__Host- also needs Path=/ and no Domain, which the marker
// has.)
func securePrefixed(name string) bool {
	for _, p := range []string{"__Secure-", "__Host-"} {
		if len(name) >= len(p) && strings.EqualFold(name[:len(p)], p) {
			return true
		}
	}
	return false
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
	same    bool              // the marker holds this visitor's hash
	stale   bool              // the marker verified under a previous key
	known   bool              // the visitor is signed in
	visitor [sha256.Size]byte // this visitor's hash, when known
	resets  bool              // the page carries the vendors' resets
}

// plan reads the marker and decides whether this page resets the widgets:
// yes when the marker is valid and the visitor is anonymous or someone else.
// A marker under a previous key is compared with the visitor's hash under
// that key.
func (s *signOut) plan(r *http.Request, id string, known bool, now int64) signOutPlan {
	p := signOutPlan{known: known}
	held, old := [sha256.Size]byte{}, (*markerKey)(nil)
	p.mark, held, old = s.read(r, now)
	p.stale = old != nil
	if known {
		p.visitor = s.visitorHash(id)
		if p.mark == markerValid {
			if old != nil {
				p.same = hmac.Equal(held[:], oldVisitorHash(old, id))
			} else {
				p.same = hmac.Equal(held[:], p.visitor[:])
			}
		}
	}
	p.resets = p.mark == markerValid && !p.same
	return p
}

// oldVisitorHash is the visitor hash under a previous key, for a marker
// that key signed (rare, until every marker is re-signed).
func oldVisitorHash(old *markerKey, id string) []byte {
	h := hmac.New(sha256.New, old.idKey)
	h.Write([]byte(id))
	return h.Sum(nil)
}

// finish sets or expires the marker on the held headers h, once the
// headers are about to go out. identified says an identity is in the page;
// consumed says the resets are. It reports whether it added a cookie.
func (s *signOut) finish(log *slog.Logger, r *http.Request, h http.Header, p signOutPlan, identified, consumed bool) bool {
	switch {
	case identified:
		// A marker under a previous key is re-signed, so that it outlives
		// the removal of that key.
		if p.same && !p.stale {
			return false
		}
		if err := s.set(h, r, p.visitor); err != nil {
			log.ErrorContext(r.Context(), "chatident: cannot set the sign-out marker", "error", err)
			return false
		}
	case consumed:
		s.expire(h, r)
	case p.mark == markerInvalid && !p.known:
		// An anonymous page with a marker that no longer verifies: nothing
		// to reset that we can trust, but no reason to keep the cookie.
		s.expire(h, r)
	default:
		return false
	}
	return true
}

// prefetchOnly reports whether r is a speculative prefetch: a navigation
// request whose response the browser may store without running its scripts
// and without ever showing it. Such a page still gets the script (it runs if
// the visitor follows the link), but it must not consume a sign-out reset.
//
// Sec-Purpose (Chromium, Firefox) is a structured list such as "prefetch" or
// "prefetch;anonymous-client-ip"; "prefetch;prerender" is a prerender, whose
// scripts do run at once, so it consumes as a page does. Older browsers sent
// Purpose: prefetch, X-Moz: prefetch or X-Purpose: preview instead.
func prefetchOnly(r *http.Request) bool {
	h := r.Header
	for _, v := range h.Values("Sec-Purpose") {
		v = strings.ToLower(v)
		if strings.Contains(v, "prefetch") && !strings.Contains(v, "prerender") {
			return true
		}
	}
	for _, k := range [...]string{"Purpose", "X-Moz", "X-Purpose"} {
		for _, v := range h.Values(k) {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "prefetch", "preview":
				return true
			}
		}
	}
	return false
}
