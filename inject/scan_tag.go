package inject

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// This file holds the data state and the tag states: where a tag starts, what
// its name is, where its attributes end, and what the tag means for the
// placement once its '>' is seen.

// data is the data state: only '<' can start anything. A tag that lies
// whole in the chunk is read at once by wholeTag, and the loop goes on to
// the next '<' without returning to feed; anything else goes through the
// tag states a byte at a time.
func (s *scanner) data(b []byte, i int, base int64) int {
	for {
		j := bytes.IndexByte(b[i:], '<')
		if s.cw.look {
			end := len(b)
			if j >= 0 {
				end = i + j
			}
			if !allWS(b[i:end]) { // text ends the run after at0
				s.breakRun()
				return len(b)
			}
		}
		if j < 0 {
			return len(b)
		}
		i += j
		n, ok := s.wholeTag(b, i+1, base, base+int64(i))
		if !ok {
			s.tagStart = base + int64(i)
			s.cand = s.tagStart // until it proves not to be the marker
			s.state = stTagOpen
			return i + 1
		}
		i = n
		if s.done || s.state != stData {
			return i
		}
	}
}

// wholeTag reads the start or end tag whose name starts at b[i] (just after
// its '<' or "</", which is at stream offset lt) when all of it, up to its
// '>', is in b, and acts on it as the tag states would: it returns the index
// just past the '>'. It returns ok = false, having changed nothing the tag
// states rely on, for anything else (a comment, a tag cut off by the end of
// the chunk): they then read it.
func (s *scanner) wholeTag(b []byte, i int, base, lt int64) (next int, ok bool) {
	if i >= len(b) {
		return 0, false
	}
	end := b[i] == '/'
	if end {
		i++
	}
	if i >= len(b) || !isAlpha(b[i]) {
		return 0, false
	}
	j := i + 1
	for j < len(b) && byteClass[b[j]]&clTagNameStop == 0 {
		j++
	}
	after, selfClosing, ok := skipAttrs(b, j)
	if !ok {
		return 0, false
	}
	name := b[i:j]
	marker := end && len(name) == 4 && equalFoldLetters(name, s.marker())
	if !marker && s.fdepth == 0 && !s.inSelect && !s.cw.look && (end || !mayMatter(lower(name[0]), len(name))) {
		// In HTML content, outside <select>, a tag emit would not act on
		// (any end tag but the marker, and most start tags) changes
		// nothing: most tags of a page end here.
		s.cand = -1
		return after, true
	}
	for k, c := range name[:min(len(name), len(s.name))] {
		s.name[k] = lower(c)
	}
	if s.nlen = uint8(len(name)); len(name) > len(s.name) {
		s.nlen = nameOverflow
	}
	s.end, s.selfClosing = end, selfClosing
	s.tagStart, s.cand = lt, -1
	if marker {
		s.cand = lt
	}
	s.emit(base + int64(after))
	return after, true
}

// equalFoldLetters reports whether b, of the same length as the lower-case
// letters want, spells want in either case.
func equalFoldLetters(b []byte, want string) bool {
	for k := range len(want) {
		if b[k]|0x20 != want[k] {
			return false
		}
	}
	return true
}

// specialLengths has, for each lower-case first letter, a bit set for the
// length of every tag name emit acts on in HTML content that starts with it:
// the raw-text elements, <svg>, <math>, <template>, <frameset> and <select>.
var specialLengths = [26]uint16{
	'f' - 'a': 1 << len("frameset"),
	'i' - 'a': 1 << len("iframe"),
	'm' - 'a': 1 << len("math"),
	'n' - 'a': 1<<len("noscript") | 1<<len("noembed") | 1<<len("noframes"),
	'p' - 'a': 1 << len("plaintext"),
	's' - 'a': 1<<len("script") | 1<<len("style") | 1<<len("svg") | 1<<len("select"),
	't' - 'a': 1<<len("title") | 1<<len("textarea") | 1<<len("template"),
	'x' - 'a': 1 << len("xmp"),
}

// mayMatter reports whether a tag name of length n starting with the
// lower-cased letter c may be one emit acts on in HTML content (a start tag;
// end tags there only matter as the marker, or inside <select>).
func mayMatter(c byte, n int) bool {
	return c-'a' < 26 && n < 16 && specialLengths[c-'a']>>n&1 != 0
}

// skipAttrs runs the attribute states of the tokenizer from b[i] (white
// space, '/' or '>' after a tag name) to the '>' that ends the tag. It
// returns the index just past that '>', whether the tag is self-closing,
// and ok = false if b ends first. It is the attrs state machine with its
// state in the program counter, for tags that lie whole in one chunk.
func skipAttrs(b []byte, i int) (after int, selfClosing, ok bool) {
	for {
		// Before attribute name.
		for i < len(b) && byteClass[b[i]]&clWS != 0 {
			i++
		}
		if i >= len(b) {
			return 0, false, false
		}
		switch b[i] {
		case '>':
			return i + 1, false, true
		case '/': // self-closing start tag state
			if i++; i >= len(b) {
				return 0, false, false
			}
			if b[i] == '>' {
				return i + 1, true, true
			}
			continue // read b[i] again before an attribute name
		}
		// Attribute name: its first byte is taken whatever it is, '=' too.
		i++
		for i < len(b) && byteClass[b[i]]&clAttrNameStop == 0 {
			i++
		}
		// After attribute name.
		for i < len(b) && byteClass[b[i]]&clWS != 0 {
			i++
		}
		if i >= len(b) {
			return 0, false, false
		}
		switch b[i] {
		case '>':
			return i + 1, false, true
		case '=':
		default: // '/' or the next attribute's name
			continue
		}
		// Before attribute value.
		for i++; i < len(b) && byteClass[b[i]]&clWS != 0; i++ {
		}
		if i >= len(b) {
			return 0, false, false
		}
		switch q := b[i]; q {
		case '"', '\'':
			k := indexByteShort(b[i+1:], q)
			if k < 0 {
				return 0, false, false
			}
			i += k + 2 // after attribute value (quoted): as before a name
		case '>':
			return i + 1, false, true
		default: // unquoted, up to white space or '>'
			for i < len(b) && byteClass[b[i]]&clValueStop == 0 {
				i++
			}
		}
	}
}

// tagOpen follows a '<' in the data state.
func (s *scanner) tagOpen(b []byte, i int) int {
	c := b[i]
	switch {
	case isAlpha(c):
		if s.placement != AfterHeadOpen {
			s.cand = -1 // a start tag is never a marker
		}
		s.end, s.selfClosing, s.nlen = false, false, 0
		s.state = stTagName
		s.appendName(b[i : i+1])
		return i + 1
	case c == '/':
		s.state = stEndTagOpen
		return i + 1
	case c == '!':
		s.cand = -1
		s.state = stMarkupDecl
		return i + 1
	case c == '?':
		s.cand = -1
		s.state = stBogusComment
		return i + 1
	}
	// The '<' was text.
	if s.placement == AfterHeadOpen {
		s.found(s.cand)
		return i
	}
	s.cand = -1
	s.toHome()
	return i // c may be another '<'
}

// endTagOpen follows "</".
func (s *scanner) endTagOpen(b []byte, i int) int {
	c := b[i]
	switch {
	case isAlpha(c):
		s.end, s.selfClosing, s.nlen = true, false, 0
		s.state = stTagName
		s.appendName(b[i : i+1])
		return i + 1
	case c == '>': // "</>" is dropped without a token
		s.cand = -1
		s.toHome()
		return i + 1
	}
	s.cand = -1
	s.state = stBogusComment
	return i
}

// tagName reads a tag name up to whitespace, '/' or '>'.
func (s *scanner) tagName(b []byte, i int, base int64) int {
	j := i
	for j < len(b) && !isTagNameStop(b[j]) {
		j++
	}
	if s.appendName(b[i:j]); s.done || j == len(b) {
		return j
	}
	switch b[j] {
	case '/':
		s.state = stSelfClosing
	case '>':
		if s.nameComplete(); !s.done {
			s.emit(base + int64(j+1))
		}
		return j + 1
	default:
		s.state = stBeforeAttrName
	}
	s.nameComplete()
	return j + 1
}

// isTagNameStop reports whether c ends a tag name.
func isTagNameStop(c byte) bool { return c == '>' || c == '/' || isWS(c) }

// appendName adds seg to the tag name and drops a candidate that the name
// already rules out. Before the head, a start tag whose name can be neither
// "html" nor "head" opens the head at its '<' (see the scanner's doc).
func (s *scanner) appendName(seg []byte) {
	for _, c := range seg {
		if s.nlen >= uint8(len(s.name)) {
			s.nlen = nameOverflow
			break
		}
		s.name[s.nlen] = lower(c)
		s.nlen++
	}
	if s.cand < 0 || len(seg) == 0 {
		return
	}
	switch {
	case s.placement != AfterHeadOpen:
		if !s.namePrefixOf(s.marker()) {
			s.cand = -1
		}
	case !s.end:
		if !s.namePrefixOf("html") && !s.namePrefixOf("head") {
			s.found(s.cand)
		}
	default:
		if !s.namePrefixOf("head") && !s.namePrefixOf("body") &&
			!s.namePrefixOf("html") && !s.namePrefixOf("br") {
			s.cand = -1
		}
	}
}

// nameComplete decides what it can once the tag name has ended.
func (s *scanner) nameComplete() {
	if s.cand < 0 {
		return
	}
	switch {
	case s.placement != AfterHeadOpen:
		if !s.nameIs(s.marker()) {
			s.cand = -1
		}
	case !s.end:
		if s.nameIs("html") || s.nameIs("head") {
			s.cand = -1 // the insertion point, if any, is after it
		} else {
			s.found(s.cand) // such as "htm"
		}
	default:
		// These end tags make the parser open the head; others are ignored.
		if s.nameIs("head") || s.nameIs("body") || s.nameIs("html") || s.nameIs("br") {
			s.found(s.cand)
		} else {
			s.cand = -1
		}
	}
}

// marker is the end tag name that Before* placements look for.
func (s *scanner) marker() string {
	if s.placement == BeforeHeadClose {
		return "head"
	}
	return "body"
}

func (s *scanner) nameIs(t string) bool {
	return int(s.nlen) == len(t) && string(s.name[:s.nlen]) == t
}

func (s *scanner) namePrefixOf(t string) bool {
	return int(s.nlen) <= len(t) && string(s.name[:s.nlen]) == t[:s.nlen]
}

// attrs runs the attribute states (all but the quoted values) up to the '>'
// that ends the tag. Only quoted values can hide a '>', and a quote opens one
// only right after '=' (and whitespace).
func (s *scanner) attrs(b []byte, i int, base int64) int {
	for ; i < len(b); i++ {
		c := b[i]
		switch s.state {
		case stBeforeAttrName:
			switch {
			case isWS(c):
			case c == '/':
				s.state = stSelfClosing
			case c == '>':
				s.emit(base + int64(i+1))
				return i + 1
			default: // '=' too starts a name here
				s.state = stAttrName
			}
		case stAttrName:
			for !isAttrNameStop(c) {
				if i++; i == len(b) {
					return i
				}
				c = b[i]
			}
			switch {
			case isWS(c):
				s.state = stAfterAttrName
			case c == '/':
				s.state = stSelfClosing
			case c == '=':
				s.state = stBeforeAttrValue
			case c == '>':
				s.emit(base + int64(i+1))
				return i + 1
			}
		case stAfterAttrName:
			switch {
			case isWS(c):
			case c == '/':
				s.state = stSelfClosing
			case c == '=':
				s.state = stBeforeAttrValue
			case c == '>':
				s.emit(base + int64(i+1))
				return i + 1
			default:
				s.state = stAttrName
			}
		case stBeforeAttrValue:
			switch {
			case isWS(c):
			case c == '"':
				s.state = stAttrValueDQ
				return i + 1
			case c == '\'':
				s.state = stAttrValueSQ
				return i + 1
			case c == '>':
				s.emit(base + int64(i+1))
				return i + 1
			default:
				s.state = stAttrValueUnquoted
			}
		case stAttrValueUnquoted:
			for c != '>' && !isWS(c) {
				if i++; i == len(b) {
					return i
				}
				c = b[i]
			}
			switch {
			case isWS(c):
				s.state = stBeforeAttrName
			case c == '>':
				s.emit(base + int64(i+1))
				return i + 1
			}
		case stAfterAttrValueQuoted:
			switch {
			case isWS(c):
				s.state = stBeforeAttrName
			case c == '/':
				s.state = stSelfClosing
			case c == '>':
				s.emit(base + int64(i+1))
				return i + 1
			default:
				s.state = stBeforeAttrName
				i-- // read c again there
			}
		default: // stSelfClosing
			if c == '>' {
				s.selfClosing = true
				s.emit(base + int64(i+1))
				return i + 1
			}
			s.state = stBeforeAttrName
			i-- // read c again there
		}
	}
	return i
}

// isAttrNameStop reports whether c ends an attribute name.
func isAttrNameStop(c byte) bool { return c == '=' || c == '>' || c == '/' || isWS(c) }

// quoted skips a quoted attribute value.
func (s *scanner) quoted(b []byte, i int, q byte) int {
	j := bytes.IndexByte(b[i:], q)
	if j < 0 {
		return len(b)
	}
	s.state = stAfterAttrValueQuoted
	return i + j + 1
}

// emit acts on a complete tag; after is the offset just past its '>'.
func (s *scanner) emit(after int64) {
	s.toHome()
	if s.cw.look {
		s.lookEmit(after)
		return
	}
	if s.placement == AfterHeadOpen {
		// Only <html>, <head> and ignored end tags get this far.
		if !s.end && s.nameIs("head") {
			s.found(after)
		}
		return
	}
	if s.end {
		switch {
		case s.cand < 0:
			s.endTagContext()
		case s.inForeign() || s.inSelect:
			s.decline(Ambiguous) // the script would not be an HTML element there
		default:
			s.found(s.cand)
		}
		return
	}
	if !s.startTagContext() {
		return // foreign content, a <select>, or declined
	}
	switch k := s.startTagKind(); k {
	case rawNone, tagSVG, tagMath:
	case rawPlaintext:
		s.state = stPlaintext
	case rawScript:
		s.state = stScript
	default:
		s.raw = k
		s.state = stRawText
	}
}

// startTagKind says whether the start tag just read switches the tokenizer.
// It dispatches on the first letter: it runs for every start tag.
func (s *scanner) startTagKind() tagKind {
	if s.nlen < 3 || s.nlen > 9 {
		return rawNone
	}
	var kinds [3]tagKind
	switch s.name[0] {
	case 's':
		kinds = [3]tagKind{rawScript, rawStyle, tagSVG}
	case 't':
		kinds = [3]tagKind{rawTitle, rawTextarea}
	case 'n':
		kinds = [3]tagKind{rawNoscript, rawNoembed, rawNoframes}
	case 'i':
		kinds[0] = rawIframe
	case 'x':
		kinds[0] = rawXmp
	case 'p':
		kinds[0] = rawPlaintext
	case 'm':
		kinds[0] = tagMath
	}
	for _, k := range kinds {
		if k != rawNone && s.nameIs(k.name()) {
			return k
		}
	}
	return rawNone
}

// indexByteShort is bytes.IndexByte for the short runs between the bytes a
// tag-dense page is made of (text between tags, attribute values): the first
// 16 bytes are looked at inline, eight at a time, so that a short run costs
// no call; the rest goes to bytes.IndexByte.
func indexByteShort(b []byte, c byte) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	m := lo * uint64(c)
	i := 0
	for ; i < 16 && i+8 <= len(b); i += 8 {
		v := binary.LittleEndian.Uint64(b[i:]) ^ m
		// A zero byte in v is a match; the lowest flagged byte is exact
		// (borrows can only flag bytes above it).
		if z := (v - lo) &^ v & hi; z != 0 {
			return i + bits.TrailingZeros64(z)/8
		}
	}
	j := bytes.IndexByte(b[i:], c)
	if j < 0 {
		return -1
	}
	return i + j
}

// byteClass sorts bytes for the loops of wholeTag and skipAttrs: one table
// load per byte instead of a chain of comparisons.
var byteClass = func() (t [256]uint8) {
	for c := range 256 {
		b := byte(c)
		if isWS(b) {
			t[c] |= clWS
		}
		if isTagNameStop(b) {
			t[c] |= clTagNameStop
		}
		if isAttrNameStop(b) {
			t[c] |= clAttrNameStop
		}
		if b == '>' || isWS(b) {
			t[c] |= clValueStop
		}
	}
	return t
}()

// The bits of byteClass.
const (
	clWS           = 1 << iota // ASCII white space, as the tokenizer has it
	clTagNameStop              // ends a tag name: white space, '/', '>'
	clAttrNameStop             // ends an attribute name: white space, '/', '>', '='
	clValueStop                // ends an unquoted attribute value: white space, '>'
)
