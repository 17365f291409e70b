package inject

// This file holds the scanner's ambiguity guard: the little of the HTML tree
// builder that a stream needs to know that a script inserted before a marker
// becomes an HTML <script> element, and where it cannot know, the decision to
// decline. The rule is deliberately simple, so that it can be checked by
// reading it against the standard's tree-construction rules
// (https://html.spec.whatwg.org/#tree-construction):
//
//   - Foreign content (<svg>, <math>) is followed exactly while it stays in
//     the shape that ordinary inline SVG and MathML have: nested foreign
//     elements kept as a stack of their names, each end tag closing the
//     innermost open element of its name together with those inside it. The
//     scanner declines at anything else in foreign content: a start tag that
//     breaks out into HTML (<p>, <div>, <font>…), any start tag inside an
//     element that may be an integration point (SVG <foreignObject>, <desc>,
//     <title>; MathML <mi>, <mo>, <mn>, <ms>, <mtext>, <annotation-xml>),
//     an end tag that matches no open foreign element (it is handed to the
//     HTML insertion mode and may or may not close foreign elements: </div>,
//     </table>, </p>, </br>…), nesting deeper than maxForeignDepth, or a
//     name longer than the scanner keeps. The marker itself inside foreign
//     content is declined too: the script would be an SVG or MathML element.
//   - <template> and <frameset> start tags in HTML content decline: template
//     contents and the frameset modes change what every later tag means.
//   - <select> is followed while it holds only <option>, <optgroup> and <hr>
//     and their end tags, up to its </select>; any other tag inside it
//     declines (browsers differ there, and the "in select" mode ignores the
//     start tags that would otherwise switch the tokenizer).
//
// Outside these, every insertion mode reached by HTML content (in head, in
// body, in table and the table modes, after head, after body) processes the
// raw-text start tags the way the tokenizer states assume, and processes an
// inserted <script> start tag with the "in head" rules: one HTML script
// element whose text is exactly the script.

// maxForeignDepth is how many nested foreign elements the scanner follows;
// maxForeignName the longest element name it keeps.
const (
	maxForeignDepth = 24
	maxForeignName  = 24
)

// decline ends the scan without an insertion point: the page is passed on
// unchanged, reported as why.
func (s *scanner) decline(why Reason) {
	s.done, s.declined, s.at, s.why = true, true, -1, why
}

// inForeign reports whether the current node is an SVG or MathML element.
func (s *scanner) inForeign() bool { return s.fdepth > 0 }

// name returns the tag name just read; ok is false when it was too long to keep.
func (s *scanner) tagNameKept() (name []byte, ok bool) {
	if int(s.nlen) > len(s.name) {
		return nil, false
	}
	return s.name[:s.nlen], true
}

// startTagContext applies the ambiguity guard to a complete start tag. It
// reports whether the tag is in HTML content, where the raw-text start tags
// switch the tokenizer; it may decline.
func (s *scanner) startTagContext() (html bool) {
	name, ok := s.tagNameKept()
	switch {
	case s.inForeign():
		switch {
		case s.fip || !ok || leavesForeign(name):
			s.decline(Ambiguous)
		case s.selfClosing: // acknowledged: popped at once
		case int(s.fdepth) == maxForeignDepth:
			s.decline(Ambiguous)
		default:
			s.pushForeign(name)
		}
		return false
	case s.inSelect:
		switch string(name) {
		case "option", "optgroup", "hr":
		default:
			s.decline(Ambiguous)
		}
		return false
	}
	switch string(name) {
	case "svg", "math":
		if !s.selfClosing {
			s.pushForeign(name)
		}
		return false
	case "template", "frameset":
		s.decline(Ambiguous)
		return false
	case "select":
		s.inSelect = true
		return false
	}
	return true
}

// endTagContext applies the ambiguity guard to a complete end tag that is not
// the marker.
func (s *scanner) endTagContext() {
	name, ok := s.tagNameKept()
	switch {
	case s.inForeign():
		if !ok {
			s.decline(Ambiguous)
			return
		}
		for d := int(s.fdepth) - 1; d >= 0; d-- {
			if string(s.fname[d][:s.flen[d]]) == string(name) {
				s.fdepth, s.fip = uint8(d), false
				return
			}
		}
		s.decline(Ambiguous) // handed to the HTML insertion mode: see the file comment
	case s.inSelect:
		switch string(name) {
		case "select":
			s.inSelect = false
		case "option", "optgroup":
		default:
			s.decline(Ambiguous)
		}
	}
}

// pushForeign opens a foreign element named name (at most maxForeignName
// bytes, as tagNameKept guarantees).
func (s *scanner) pushForeign(name []byte) {
	d := s.fdepth
	s.flen[d] = uint8(copy(s.fname[d][:], name))
	s.fdepth++
	s.fip = isIntegrationPointName(name)
}

// isIntegrationPointName reports whether an element of this name may be an
// HTML or MathML text integration point, whatever its namespace and
// attributes: inside one, start tags are HTML again.
func isIntegrationPointName(name []byte) bool {
	switch string(name) {
	case "foreignobject", "desc", "title", "mi", "mo", "mn", "ms", "mtext", "annotation-xml":
		return true
	}
	return false
}

// leavesForeign reports whether a start tag of this name leaves foreign content
// (the standard's rules for parsing tokens in foreign content). <font> does
// only with a color, face or size attribute; the scanner does not read
// attribute names and counts every <font>.
func leavesForeign(name []byte) bool {
	switch string(name) {
	case "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div",
		"dl", "dt", "em", "embed", "font", "h1", "h2", "h3", "h4", "h5", "h6", "head",
		"hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol", "p",
		"pre", "ruby", "s", "small", "span", "strong", "strike", "sub", "sup",
		"table", "tt", "u", "ul", "var":
		return true
	}
	return false
}
