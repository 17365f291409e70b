package inject

import "bytes"

// This file holds the text of raw-text elements: RCDATA (<textarea>,
// <title>), RAWTEXT (<style>, <xmp>, <iframe>, <noembed>, <noframes>,
// <noscript>) and script data with its escaped and double-escaped states. In
// all of them only the appropriate end tag, "</" and the element's name
// followed by whitespace, '/' or '>', ends the text.

// endTagName matches the appropriate end tag's name after "</", one byte at a
// time in scanner.match. It returns ok when the name and the byte after it
// are complete: then the end tag goes on in the tag states like any other. It
// returns fail when c rules it out; c is then read again as text.
func (s *scanner) endTagName(c byte, name string) (ok, fail bool) {
	if int(s.match) < len(name) {
		if !equalFoldLetter(c, name[s.match]) {
			return false, true
		}
		s.match++
		return false, false
	}
	switch {
	case isWS(c):
		s.state = stBeforeAttrName
	case c == '/':
		s.state = stSelfClosing
	case c == '>':
		s.state = s.home // an end tag of no consequence: no attributes to read
	default:
		return false, true
	}
	s.end, s.selfClosing, s.nlen = true, false, 0
	return true, false
}

// rawText is RCDATA and RAWTEXT.
func (s *scanner) rawText(b []byte, i int) int {
	for i < len(b) {
		switch s.state {
		case stRawText:
			j := bytes.IndexByte(b[i:], '<')
			if j < 0 {
				return len(b)
			}
			i += j + 1
			s.state = stRawTextLT
		case stRawTextLT:
			if b[i] == '/' {
				s.state, s.match = stRawTextEnd, 0
				i++
			} else {
				s.state = stRawText
			}
		default: // stRawTextEnd
			ok, fail := s.endTagName(b[i], s.raw.name())
			if ok {
				return i + 1
			}
			if fail {
				s.state = stRawText // read b[i] again: it may be '<'
				continue
			}
			i++
		}
	}
	return i
}

// script is the script data state and the states that lead out of it.
func (s *scanner) script(b []byte, i int) int {
	for i < len(b) {
		c := b[i]
		switch s.state {
		case stScript:
			j := bytes.IndexByte(b[i:], '<')
			if j < 0 {
				return len(b)
			}
			i += j + 1
			s.state = stScriptLT
			continue
		case stScriptLT:
			switch c {
			case '/':
				s.state, s.match = stScriptEnd, 0
				i++
			case '!':
				s.state = stScriptEscStart
				i++
			default:
				s.state = stScript
			}
		case stScriptEnd:
			ok, fail := s.endTagName(c, "script")
			if ok {
				return i + 1
			}
			if fail {
				s.state = stScript
				continue
			}
			i++
		case stScriptEscStart:
			if c == '-' {
				s.state = stScriptEscStartDash
				i++
			} else {
				s.state = stScript
			}
		default: // stScriptEscStartDash
			if c == '-' {
				// "<!--": escaped, and already in the escaped dash dash
				// state, so "<!-->" leaves at once.
				s.state, s.run = stScriptEsc, 2
				return i + 1
			}
			s.state = stScript
		}
	}
	return i
}

// scriptEscaped is the script data escaped state and the states around it.
// The escaped, escaped dash and escaped dash dash states are one state here:
// scanner.run counts the trailing dashes, and "-->" returns to script data.
func (s *scanner) scriptEscaped(b []byte, i int) int {
	for i < len(b) {
		c := b[i]
		switch s.state {
		case stScriptEsc:
			j := indexEither(b[i:], '<', '>')
			if j < 0 {
				s.run = trailing(s.run, b[i:], '-')
				return len(b)
			}
			dashes := trailing(s.run, b[i:i+j], '-')
			i += j + 1
			s.run = 0
			if b[i-1] == '<' {
				s.state = stScriptEscLT
			} else if dashes == 2 {
				s.state = stScript
				return i
			}
		case stScriptEscLT:
			switch {
			case c == '/':
				s.state, s.match = stScriptEscEnd, 0
				i++
			case isAlpha(c):
				s.state, s.match = stScriptDblEscStart, 0
			default:
				s.state = stScriptEsc
			}
		case stScriptEscEnd:
			ok, fail := s.endTagName(c, "script")
			if ok {
				return i + 1
			}
			if fail {
				s.state = stScriptEsc
				continue
			}
			i++
		default: // stScriptDblEscStart
			// Letters after "<" that spell "script" and end with whitespace,
			// '/' or '>' enter the double-escaped state; that last byte is
			// consumed. Anything else is escaped text, read again there.
			if int(s.match) < len("script") {
				if !equalFoldLetter(c, "script"[s.match]) {
					s.state = stScriptEsc
					continue
				}
				s.match++
				i++
				continue
			}
			if isWS(c) || c == '/' || c == '>' {
				s.state, s.run = stScriptDblEsc, 0
				return i + 1
			}
			s.state = stScriptEsc
		}
	}
	return i
}

// scriptDoubleEscaped is the script data double escaped state and the states
// around it; "-->" returns to script data and "</script" followed by
// whitespace, '/' or '>' to the escaped state.
func (s *scanner) scriptDoubleEscaped(b []byte, i int) int {
	for i < len(b) {
		c := b[i]
		switch s.state {
		case stScriptDblEsc:
			j := indexEither(b[i:], '<', '>')
			if j < 0 {
				s.run = trailing(s.run, b[i:], '-')
				return len(b)
			}
			dashes := trailing(s.run, b[i:i+j], '-')
			i += j + 1
			s.run = 0
			if b[i-1] == '<' {
				s.state = stScriptDblEscLT
			} else if dashes == 2 {
				s.state = stScript
				return i
			}
		case stScriptDblEscLT:
			if c == '/' {
				s.state, s.match = stScriptDblEscEnd, 0
				i++
			} else {
				s.state = stScriptDblEsc
			}
		default: // stScriptDblEscEnd
			if int(s.match) < len("script") {
				if !equalFoldLetter(c, "script"[s.match]) {
					s.state = stScriptDblEsc
					continue
				}
				s.match++
				i++
				continue
			}
			if isWS(c) || c == '/' || c == '>' {
				s.state, s.run = stScriptEsc, 0
				return i + 1
			}
			s.state = stScriptDblEsc
		}
	}
	return i
}
