package inject

import "math/bits"

// This file holds the scanner's model of foreign content (<svg> and <math>),
// in which CDATA sections exist and raw-text elements do not; the scanner's
// doc says what the model leaves out.

// openForeign records an <svg> or <math> start tag. Levels past 64 are not
// told apart: they count as <svg>.
func (s *scanner) openForeign(math bool) {
	if s.foreign < 64 {
		bit := uint64(1) << s.foreign
		if math {
			s.foreignMath |= bit
		} else {
			s.foreignMath &^= bit
		}
	}
	if s.foreign < 1<<31 {
		s.foreign++
	}
}

// closeForeign handles </svg> or </math> as a browser's stack of open
// elements would: it closes the innermost open level of that kind and all
// levels inside it, or nothing when none is open.
func (s *scanner) closeForeign(math bool) {
	if s.foreign > 64 && !math {
		s.foreign-- // levels past 64 all count as <svg>
		return
	}
	levels := s.foreignMath
	if !math {
		levels = ^levels
	}
	if s.foreign < 64 {
		levels &= 1<<s.foreign - 1
	}
	if levels != 0 {
		s.foreign = uint32(63 - bits.LeadingZeros64(levels))
	}
}

// breaksOut reports whether the start tag just read makes a browser leave
// foreign content: an HTML element such as <p> or <div> closes every open
// <svg> and <math>, as do the end tags </p> and </br>. (A <font> with a
// color, face or size attribute does too; the scanner does not read
// attribute names and leaves it out.)
func (s *scanner) breaksOut() bool {
	switch string(s.name[:min(s.nlen, uint8(len(s.name)))]) {
	case "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div",
		"dl", "dt", "em", "embed", "h1", "h2", "h3", "h4", "h5", "h6", "head",
		"hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol", "p",
		"pre", "ruby", "s", "small", "span", "strong", "strike", "sub", "sup",
		"table", "tt", "u", "ul", "var":
		return s.nlen <= uint8(len(s.name))
	}
	return false
}
