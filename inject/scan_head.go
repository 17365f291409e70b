package inject

// This file holds what only the start of a page needs: the byte order mark,
// and for AfterHeadOpen the search for the token that opens the head, with
// the character references that decode to whitespace.

// bom reads a byte order mark at offset 0. A UTF-8 mark is skipped; a UTF-16
// one makes the stream inert; anything else is read again as data.
func (s *scanner) bom(b []byte, i int) int {
	c := b[i]
	var want byte
	switch {
	case s.match == 0:
		switch c {
		case 0xEF, 0xFE, 0xFF:
			if s.placement == AfterHeadOpen {
				s.cand = 0 // text, unless the mark completes
			}
			s.name[0] = c
			s.match = 1
			return i + 1
		}
		s.toHome()
		return i
	case s.name[0] == 0xEF:
		want = "\xEF\xBB\xBF"[s.match]
	case s.name[0] == 0xFE:
		want = 0xFF
	default:
		want = 0xFE
	}
	if c != want {
		// The first bytes were text after all: before the head, text opens
		// it; later, it is only text.
		if s.placement == AfterHeadOpen {
			s.found(0)
			return i
		}
		s.toHome()
		return i
	}
	s.match++
	i++
	switch {
	case s.name[0] != 0xEF: // UTF-16: see the scanner's doc
		s.cand = -1
		s.state = stPlaintext
	case s.match == 3:
		s.cand = -1
		s.toHome()
		s.cw.on = false // the byte order mark settles the encoding
	}
	return i
}

// headData is the data state before the head is open: whitespace is skipped,
// '<' and '&' need a closer look, and any other byte is text that opens the
// head right there.
func (s *scanner) headData(b []byte, i int, base int64) int {
	for ; i < len(b); i++ {
		c := b[i]
		if isWS(c) {
			continue
		}
		switch c {
		case '<':
			s.cand = base + int64(i)
			s.tagStart = s.cand
			s.state = stTagOpen
		case '&':
			s.cand = base + int64(i)
			s.state = stCharRef
			s.refHex, s.refAny, s.refVal = false, false, 0
		default:
			s.found(base + int64(i))
			return i
		}
		return i + 1
	}
	return i
}

// The named character references whose value is ASCII whitespace. Both need
// their semicolon; without it they are not references.
const (
	refTab     = "Tab;"
	refNewLine = "NewLine;"
)

// charRef reads a character reference before the head. One that decodes to
// whitespace is skipped like whitespace; anything else, including a lone '&',
// is text that opens the head at the '&' (s.cand).
func (s *scanner) charRef(b []byte, i int) int {
	for ; i < len(b); i++ {
		c := b[i]
		switch s.state {
		case stCharRef:
			switch c {
			case '#':
				s.state = stCharRefNum
				continue
			case refTab[0], refNewLine[0]:
				s.state, s.refName, s.match = stCharRefNamed, c, 1
				continue
			}
		case stCharRefNum:
			if c == 'x' || c == 'X' {
				s.refHex = true
				s.state = stCharRefDigits
				continue
			}
			if '0' <= c && c <= '9' {
				s.state = stCharRefDigits
				i-- // read it as a digit
				continue
			}
		case stCharRefDigits:
			if d, ok := digitValue(c, s.refHex); ok {
				if s.refVal <= 0x10FFFF {
					base := uint32(10)
					if s.refHex {
						base = 16
					}
					s.refVal = s.refVal*base + d
				}
				s.refAny = true
				continue
			}
			if !s.refAny || !isWSRune(s.refVal) {
				break // "&#x" with no digits is text; so is any other character
			}
			s.cand = -1
			s.toHome()
			if c == ';' {
				return i + 1
			}
			return i // the reference ended without ';': read c again
		case stCharRefNamed:
			want := refTab
			if s.refName == refNewLine[0] {
				want = refNewLine
			}
			if c != want[s.match] {
				break
			}
			s.match++
			if int(s.match) == len(want) {
				s.cand = -1
				s.toHome()
				return i + 1
			}
			continue
		}
		// Not a whitespace reference: text opens the head at the '&'.
		s.found(s.cand)
		return i
	}
	return i
}

// digitValue is the value of c as a decimal or hexadecimal digit.
func digitValue(c byte, hex bool) (uint32, bool) {
	switch {
	case '0' <= c && c <= '9':
		return uint32(c - '0'), true
	case hex && 'a' <= c|0x20 && c|0x20 <= 'f':
		return uint32(c|0x20-'a') + 10, true
	}
	return 0, false
}

// isWSRune reports whether a numeric character reference's value decodes to
// ASCII whitespace. No replacement in the standard's table (zero, surrogates,
// 0x80–0x9F, beyond U+10FFFF) yields whitespace, and CR stays CR.
func isWSRune(v uint32) bool { return v < 64 && asciiWS>>v&1 != 0 }
