package inject

import "bytes"

// This file holds the data state and the tag states: where a tag starts, what
// its name is, where its attributes end, and what the tag means for the
// placement once its '>' is seen.

// data is the data state: only '<' can start anything.
func (s *scanner) data(b []byte, i int, base int64) int {
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
	s.tagStart = base + int64(i)
	s.cand = s.tagStart // until it proves not to be the marker
	s.state = stTagOpen
	return i + 1
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
func (s *scanner) startTagKind() rawKind {
	if s.nlen < 3 || s.nlen > 9 {
		return rawNone
	}
	var kinds [3]rawKind
	switch s.name[0] {
	case 's':
		kinds = [3]rawKind{rawScript, rawStyle, tagSVG}
	case 't':
		kinds = [3]rawKind{rawTitle, rawTextarea}
	case 'n':
		kinds = [3]rawKind{rawNoscript, rawNoembed, rawNoframes}
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
