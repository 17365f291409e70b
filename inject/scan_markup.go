package inject

import "bytes"

// This file holds what follows "<!": comments, DOCTYPEs, bogus comments and
// CDATA sections. None of them is a tag or, before the head, opens it.

// markupDecl follows "<!": "--" opens a comment, "[CDATA[" a CDATA section in
// foreign content; anything else (a DOCTYPE included) is skipped to the next
// '>'. What was matched holds no '>', so a mismatch can go on as a bogus
// comment from the byte that failed.
func (s *scanner) markupDecl(b []byte, i int) int {
	for ; i < len(b); i++ {
		c := b[i]
		switch s.state {
		case stMarkupDecl:
			switch {
			case c == '-':
				s.state = stMarkupDash
				continue
			case c == '[' && s.inForeign():
				s.state, s.match = stMarkupCDATA, 1
				continue
			}
		case stMarkupDash:
			if c == '-' {
				s.state, s.run = stComment, commentStart
				return i + 1
			}
		default: // stMarkupCDATA
			if c == "[CDATA["[s.match] {
				s.match++
				if s.match == uint8(len("[CDATA[")) {
					s.state, s.run = stCDATA, 0
					return i + 1
				}
				continue
			}
		}
		s.state = stBogusComment
		return i
	}
	return i
}

// The states of a comment's closer, kept in scanner.run between chunks: what
// the comment data read so far ends with. A '>' closes the comment in
// commentStart, commentStartDash, commentDashDash and commentBang; these are
// the comment start, comment start dash, comment end and comment end bang
// states of the standard.
const (
	commentStart     = iota // nothing yet: "<!-->" closes
	commentStartDash        // just "-": "<!--->" closes
	commentOther            // anything else
	commentDash             // ends with one '-'
	commentDashDash         // ends with "--"
	commentBang             // ends with "--!"
)

// comment skips to the '>' that closes the comment.
func (s *scanner) comment(b []byte, i int) int {
	for {
		j := bytes.IndexByte(b[i:], '>')
		if j < 0 {
			s.run = commentAfter(s.run, b[i:])
			return len(b)
		}
		switch st := commentAfter(s.run, b[i:i+j]); st {
		case commentStart, commentStartDash, commentDashDash, commentBang:
			s.toHome()
			if st == commentBang && s.cw.look {
				s.breakRun() // the prescan does not close a comment at "--!>"
			}
			return i + j + 1
		}
		s.run = commentOther
		i += j + 1
	}
}

// commentAfter is the closer state after seg, which holds no '>', given the
// state prev before it. It depends only on the last three bytes once there
// are three, so long comment text is never walked.
func commentAfter(prev uint8, seg []byte) uint8 {
	if n := len(seg); n >= 3 {
		a, b, c := seg[n-3], seg[n-2], seg[n-1]
		switch {
		case c == '-' && b == '-':
			return commentDashDash
		case c == '-':
			return commentDash
		case c == '!' && a == '-' && b == '-':
			return commentBang
		}
		return commentOther
	}
	st := prev
	for _, c := range seg {
		switch {
		case c == '-':
			switch st {
			case commentStart:
				st = commentStartDash
			case commentStartDash, commentDash, commentDashDash:
				st = commentDashDash
			default: // commentOther; commentBang: "--!-" is one dash again
				st = commentDash
			}
		case c == '!' && st == commentDashDash:
			st = commentBang
		default:
			st = commentOther
		}
	}
	return st
}

// bogusComment skips to the next '>'. DOCTYPEs end there too, even inside a
// quoted identifier, and so do processing instructions.
func (s *scanner) bogusComment(b []byte, i int) int {
	j := bytes.IndexByte(b[i:], '>')
	if j < 0 {
		return len(b)
	}
	s.toHome()
	return i + j + 1
}

// cdata skips a CDATA section to its "]]>"; scanner.run counts trailing ']'.
func (s *scanner) cdata(b []byte, i int) int {
	for {
		j := bytes.IndexByte(b[i:], '>')
		if j < 0 {
			s.run = trailing(s.run, b[i:], ']')
			return len(b)
		}
		if trailing(s.run, b[i:i+j], ']') == 2 {
			s.toHome()
			return i + j + 1
		}
		s.run = 0
		i += j + 1
	}
}
