package inject

import (
	"net/http"
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
//   - Content-Length grows by grow when lengthKnown, else it is removed;
//   - ETag and Last-Modified are removed: a validator shared by every
//     visitor would let a cache or a conditional request answer one
//     visitor's page with another's;
//   - Accept-Ranges is removed: byte ranges of a per-visitor body do not
//     line up with the application's;
//   - Cache-Control gets private, loses public and s-maxage (CDN-Cache-Control
//     and Surrogate-Control, which would override it at a CDN, are removed);
//   - Vary gains Cookie, unless it is already there or Vary is *.
//
// vals, if not nil, is the storage for the new Cache-Control and Vary values
// (the per-response writer lends its own, so the usual case allocates
// nothing); it must not be shared with another response.
func privatize(h http.Header, grow int, lengthKnown bool, vals *[2]string) {
	if lengthKnown {
		if v := h["Content-Length"]; len(v) > 0 {
			n, err := strconv.ParseInt(strings.TrimSpace(v[0]), 10, 64)
			if err == nil && n >= 0 {
				h["Content-Length"] = []string{strconv.FormatInt(n+int64(grow), 10)}
			} else {
				// A length we cannot read cannot be grown; net/http
				// would reject it anyway.
				delete(h, "Content-Length")
			}
		}
	} else {
		delete(h, "Content-Length")
	}
	// One pass over the (small) map instead of a lookup per name; it also
	// catches the spellings an application may have put in the map
	// directly, which net/http sends as they are.
	for k := range h {
		switch k {
		case "Etag", "ETag", "Last-Modified", "Accept-Ranges":
			delete(h, k)
		}
	}
	privateCaching(h, vals)
}

// privateCaching keeps h's response out of shared caches: Cache-Control
// gets private and loses public and s-maxage, CDN-Cache-Control and
// Surrogate-Control (which would override it at a CDN) are removed, and Vary
// gains Cookie, unless it is already there or Vary is *. vals is as for
// privatize.
func privateCaching(h http.Header, vals *[2]string) {
	for k := range h {
		switch k {
		case "Cdn-Cache-Control", "CDN-Cache-Control", "Surrogate-Control":
			delete(h, k)
		}
	}

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
