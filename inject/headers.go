package inject

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// headerForm says in which form the held response headers go out.
type headerForm int

const (
	// formOriginal: exactly as the application set them; nothing was
	// inserted and nothing will be.
	formOriginal headerForm = iota
	// formInjected: the element is inserted and the headers are still
	// held, so a Content-Length the application set can grow by its length.
	formInjected
	// formMayInject: the headers must go before the marker is known; the
	// element may still be inserted further on, so the length is unknown.
	formMayInject
)

// privatize rewrites h for a response that carries, or may carry, a script
// made for one visitor:
//
//   - Content-Length grows by grow when lengthKnown, else it is removed (so
//     is a Content-Length given several times with different values);
//   - ETag and Last-Modified are removed: a validator shared by every
//     visitor would let a cache or a conditional request answer one
//     visitor's page with another's;
//   - Accept-Ranges is removed: byte ranges of a per-visitor body do not
//     line up with the application's;
//   - the rest is privateCaching.
//
// Every spelling of these names counts (see foldGoverned).
//
// vals, if not nil, is the storage for the new Cache-Control and Vary values
// (the per-response writer lends its own, so the usual case allocates
// nothing); it must not be shared with another response.
func privatize(h http.Header, grow int, lengthKnown bool, vals *[2]string) {
	foldGoverned(h)
	if v, ok := h["Content-Length"]; ok {
		n, err := int64(-1), error(nil)
		if lengthKnown {
			n, err = oneLength(v)
		}
		if lengthKnown && err == nil {
			h["Content-Length"] = []string{strconv.FormatInt(n+int64(grow), 10)}
		} else {
			// A length we cannot read cannot be grown; net/http
			// would reject it anyway.
			delete(h, "Content-Length")
		}
	}
	delete(h, "Etag")
	delete(h, "Last-Modified")
	delete(h, "Accept-Ranges")
	// One pass for both kinds of removal (privateCanonical's and the
	// validators' underscore spellings): a pass over the map costs more
	// than the tests in it.
	for k := range h {
		if underscoreCacheField(k, true) || sharedCacheControl(k) {
			delete(h, k)
		}
	}
	privateHeads(h, vals)
}

// oneLength reads a Content-Length given as one or more equal values.
func oneLength(v []string) (int64, error) {
	if len(v) == 0 {
		return 0, strconv.ErrSyntax
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v[0]), 10, 64)
	if err != nil || n < 0 {
		return 0, strconv.ErrSyntax
	}
	for _, o := range v[1:] {
		if m, err := strconv.ParseInt(strings.TrimSpace(o), 10, 64); err != nil || m != n {
			return 0, strconv.ErrSyntax
		}
	}
	return n, nil
}

// privateCaching keeps h's response out of shared caches: Cache-Control
// gets private and loses public and s-maxage, every field that tells a
// shared cache how long to keep the response over Cache-Control's head is
// removed (see sharedCacheControl), and Vary gains Cookie, unless it is
// already there or Vary is *. Every spelling of these names counts (see
// foldGoverned). vals is as for privatize.
func privateCaching(h http.Header, vals *[2]string) {
	foldGoverned(h)
	privateCanonical(h, vals)
}

// privateCanonical is privateCaching for a map whose governed keys are
// canonical already.
func privateCanonical(h http.Header, vals *[2]string) {
	for k := range h {
		if sharedCacheControl(k) || underscoreCacheField(k, false) {
			delete(h, k)
		}
	}
	privateHeads(h, vals)
}

// privateHeads is the part of privateCanonical that rewrites Cache-Control
// and Vary, once the fields shared caches read instead are gone.
func privateHeads(h http.Header, vals *[2]string) {
	cc, ccChanged := privateCacheControl(h["Cache-Control"])
	vary, varyChanged := varyCookie(h["Vary"])
	if vals == nil && (ccChanged || varyChanged) {
		vals = new([2]string)
	}
	if ccChanged {
		vals[0] = cc
		h["Cache-Control"] = vals[0:1:1]
	}
	if varyChanged {
		old := h["Vary"]
		if len(old) <= 1 {
			vals[1] = vary
			h["Vary"] = vals[1:2:2]
		} else {
			nv := make([]string, len(old))
			copy(nv, old)
			nv[len(nv)-1] = vary
			h["Vary"] = nv
		}
	}
}

// governed reports whether chatident reads or rewrites the header named c
// (in canonical form): it decides on Content-Type, Content-Encoding and
// Transfer-Encoding, reads Set-Cookie and the two Content-Security-Policy
// fields, and rewrites or removes the length, the validators and every
// cache control field.
func governed(c string) bool {
	switch c {
	case "Content-Type", "Content-Encoding", "Transfer-Encoding", "Content-Length",
		"Content-Security-Policy", "Content-Security-Policy-Report-Only", "Set-Cookie",
		"Cache-Control", "Vary", "Etag", "Last-Modified", "Accept-Ranges":
		return true
	}
	return sharedCacheControl(c)
}

// sharedCacheControl reports whether the header named c (in canonical form)
// tells a shared cache (a CDN or a caching proxy) how to keep the response,
// taking precedence there over Cache-Control: CDN-Cache-Control and every
// targeted cache control field of RFC 9213 (Cloudflare-CDN-Cache-Control,
// Vercel-CDN-Cache-Control, Netlify-CDN-Cache-Control, …), and with them any
// other name ending in -Cache-Control (Akamai-Cache-Control,
// X-LiteSpeed-Cache-Control), Surrogate-Control, Akamai's Edge-Control and
// nginx's X-Accel-Expires. Without them, such a cache falls back to
// Cache-Control, which privateCaching makes private; removing one can only
// make a response less cacheable.
func sharedCacheControl(c string) bool {
	switch c {
	case "Surrogate-Control", "Edge-Control", "X-Accel-Expires":
		return true
	}
	const suffix = "-Cache-Control"
	return len(c) > len(suffix) && c[len(c)-len(suffix):] == suffix
}

// foldGoverned moves the values of every governed header (see governed)
// that h holds under a spelling other than the canonical one (an
// application may write h["cache-control"] directly, and net/http sends such
// a key as it is, next to the canonical one) to the canonical key, so that
// every later look-up and rewrite sees all of them. Values keep the order in
// which net/http would have sent them (keys sorted, each key's values in
// order). A non-canonical key holding no value is dropped: net/http sends
// nothing for it. Keys net/http would not send at all (not valid field
// names) are left alone.
//
// The usual map, all canonical, costs one pass and no allocation.
func foldGoverned(h http.Header) {
	var odd []string
	for k := range h {
		if c := http.CanonicalHeaderKey(k); c != k && governed(c) {
			odd = append(odd, k)
		}
	}
	if len(odd) == 0 {
		return
	}
	slices.Sort(odd)
	for _, k := range odd {
		if _, ok := h[k]; !ok {
			continue // folded with an earlier spelling
		}
		c := http.CanonicalHeaderKey(k)
		var keys []string
		for _, o := range odd {
			if http.CanonicalHeaderKey(o) == c {
				keys = append(keys, o)
			}
		}
		cv, present := h[c]
		if present {
			keys = append(keys, c)
			slices.Sort(keys)
		}
		// A new slice: the application's own slices may have spare
		// capacity that an append would write into.
		var vals []string
		for _, o := range keys {
			if o == c {
				vals = append(vals, cv...)
			} else {
				vals = append(vals, h[o]...)
				delete(h, o)
			}
		}
		if present || vals != nil {
			// A canonical key present without values stays so: net/http
			// reads a nil Content-Type as "send none, sniff none".
			h[c] = vals
		}
	}
}

// privateCacheControl returns the Cache-Control value for a per-visitor
// response made from the application's values: private added, public,
// s-maxage and any field-qualified private="…" dropped (bare private is
// stricter), every other directive kept as written (no-store, no-cache,
// max-age, ...). changed is false when the values already say exactly that.
func privateCacheControl(values []string) (v string, changed bool) {
	if len(values) == 0 {
		return "private", true
	}
	// Several field lines are one list joined with commas (RFC 9110), read
	// as a cache reads it: an unclosed quote in one line runs on into the
	// next, so the lines are joined before splitting.
	list := values[0]
	if len(values) > 1 {
		list = strings.Join(values, ", ")
	}
	hasPrivate, drop := false, false
	for d := range listElements(list) {
		switch name := directiveName(d); {
		case equalFoldASCII(name, "public"), equalFoldASCII(name, "s-maxage"):
			drop = true
		case equalFoldASCII(name, "private"):
			if d == name {
				hasPrivate = true
			} else {
				drop = true
			}
		}
	}
	if hasPrivate && !drop && len(values) == 1 {
		return values[0], false
	}
	var b strings.Builder
	b.WriteString("private")
	for d := range listElements(list) {
		switch name := directiveName(d); {
		case equalFoldASCII(name, "public"), equalFoldASCII(name, "s-maxage"),
			equalFoldASCII(name, "private"):
			continue
		}
		// Elements keep their order, so one with an unclosed quote, which
		// can only be the last, stays last and swallows nothing new.
		b.WriteString(", ")
		b.WriteString(d)
	}
	return b.String(), true
}

// varyCookie returns the last Vary value with Cookie merged in. changed is
// false when Cookie (in any case) or * is already listed.
//
// Vary lists field names, which are never quoted, so every comma separates:
// read with listElements, a stray quote would hide the Cookie added after it.
func varyCookie(values []string) (v string, changed bool) {
	for _, val := range values {
		for rest, more := val, true; more; {
			var f string
			f, rest, more = strings.Cut(rest, ",")
			if f = strings.Trim(f, " \t"); f == "*" || equalFoldASCII(f, "Cookie") {
				return "", false
			}
		}
	}
	if len(values) == 0 {
		return "Cookie", true
	}
	last := strings.TrimRight(values[len(values)-1], " \t,")
	if strings.Trim(last, " \t,") == "" {
		return "Cookie", true
	}
	return last + ", Cookie", true
}

// directiveName returns a Cache-Control directive's name: the part before
// "=", trimmed.
func directiveName(d string) string {
	if i := strings.IndexByte(d, '='); i >= 0 {
		return strings.TrimSpace(d[:i])
	}
	return d
}

// listElements yields the non-empty elements of an HTTP comma-separated
// list, trimmed of spaces and tabs, and of CR and LF, which net/http sends
// as spaces. Commas inside a quoted string (as in no-cache="Set-Cookie,
// Foo") do not split.
func listElements(v string) func(func(string) bool) {
	return func(yield func(string) bool) {
		start, quoted := 0, false
		for i := 0; i <= len(v); i++ {
			if i < len(v) {
				switch c := v[i]; {
				case quoted && c == '\\':
					if i+1 < len(v) {
						i++ // the escaped byte cannot end the string
					}
					continue
				case c == '"':
					quoted = !quoted
					continue
				case c != ',' || quoted:
					continue
				}
			}
			if e := strings.Trim(v[start:min(i, len(v))], " \t\r\n"); e != "" {
				if !yield(e) {
					return
				}
			}
			start = i + 1
		}
	}
}

// dropCacheTrailers removes, once the handler has returned, every trailer
// field of h that a cache reads (see cacheTrailer): those declared in
// Trailer and set after the body, in any spelling, and those written under
// http.TrailerPrefix. net/http sends both after the body; a field removed
// from a private page's header must not come back there.
func dropCacheTrailers(h http.Header) {
	for k := range h {
		if rest, ok := strings.CutPrefix(k, http.TrailerPrefix); ok && cacheTrailer(http.CanonicalHeaderKey(rest)) {
			delete(h, k)
		}
	}
	for _, v := range h["Trailer"] {
		for name := range strings.SplitSeq(v, ",") {
			c := http.CanonicalHeaderKey(strings.Trim(name, " \t"))
			if !cacheTrailer(c) {
				continue
			}
			for k := range h {
				if http.CanonicalHeaderKey(k) == c {
					delete(h, k)
				}
			}
		}
	}
}

// cacheTrailer reports whether a field named c (canonical) tells a cache
// how to keep or revalidate a response.
func cacheTrailer(c string) bool {
	switch c {
	case "Cache-Control", "Vary", "Etag", "Last-Modified", "Accept-Ranges", "Expires":
		return true
	}
	return sharedCacheControl(c)
}

// underscoreCacheField reports whether k holds a '_' and, with '_' read as
// '-', names Cache-Control or a field sharedCacheControl removes
// (Cache_Control, cdn_cache_control, Surrogate_Control, …), or with
// validators a validator or Accept-Ranges (Last_Modified). net/http sends
// such a name as written, as a field of its own, but proxies and server
// interfaces that follow CGI's naming take '_' and '-' for the same
// character; such a field is removed from a private page, never merged.
func underscoreCacheField(k string, validators bool) bool {
	if strings.IndexByte(k, '_') < 0 {
		return false
	}
	switch c := http.CanonicalHeaderKey(strings.ReplaceAll(k, "_", "-")); c {
	case "Cache-Control":
		return true
	case "Etag", "Last-Modified", "Accept-Ranges":
		return validators
	default:
		return sharedCacheControl(c)
	}
}
