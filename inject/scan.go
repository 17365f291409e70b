package inject

// scanner finds the insertion point for a placement in an HTML byte stream
// that arrives in chunks of any size.
//
// CONTRACT (the writer relies on it):
//   - reset(p) prepares the scanner for a new stream and placement; a zero
//     scanner after reset is ready, and reset allocates nothing.
//   - feed(chunk) consumes the next bytes of the stream and returns:
//     at:   the stream offset (counted from the first byte ever fed) at which
//     the script must be inserted, or -1 if not known yet. Once at >= 0
//     has been returned the caller stops feeding.
//     hold: the smallest stream offset at which the insertion point could
//     still turn out to be. Bytes before hold can be sent on; bytes from
//     hold on must be held back. hold never decreases and is at most the
//     number of bytes fed so far.
//   - feed never allocates and never panics, whatever the input.
//
// It is a state machine over the tokenizer states of the HTML standard, so it
// sees tags exactly where a browser does:
//
//   - Tag names are case-insensitive, and tags may carry attributes and
//     whitespace (</head foo="x">, </HEAD >, <head\tclass=a>). A tag counts
//     only once its closing '>' is seen; a tag cut off by the end of the stream
//     is not a tag. Names are compared whole: </header> and <headline> are not
//     markers.
//   - Nothing inside a comment is a tag (the abrupt closers <!--> and <!--->,
//     and --!> as a closer, are honoured), nor inside a bogus comment (<?…>,
//     </ followed by a non-letter, <!x…>, and <![CDATA[ outside foreign
//     content), a DOCTYPE, or an attribute value, quoted or unquoted.
//   - After the start tags <script>, <style>, <textarea>, <title>, <xmp>,
//     <iframe>, <noembed>, <noframes> and <noscript> (scripting on, as in
//     browsers), only the matching end tag (</script, </style… followed by
//     whitespace, '/' or '>') ends the text; <script> text follows the
//     escaped (<!--) and double-escaped (<!--<script>) states. After
//     <plaintext> nothing is ever a tag again.
//   - Foreign content (<svg>, <math>) is followed as a stack of the open
//     foreign elements' names, and inside it <![CDATA[…]]> is a CDATA
//     section and the elements above do not switch the tokenizer (an SVG
//     <style> or <title> holds ordinary markup).
//   - For BeforeHeadClose and BeforeBodyClose, the ambiguity guard
//     (scan_tree.go) follows the little of the tree builder that decides
//     whether a script inserted at the marker becomes an HTML <script>
//     element, and declines wherever a stream cannot be sure: foreign content
//     that leaves its ordinary shape (a breakout tag, <font>, a start tag in
//     an integration point, an end tag that matches no open foreign element,
//     the marker inside it), <template>, <frameset>, and a <select> holding
//     anything but options. A declined stream is never given an insertion
//     point: feed returns at = -1 and a hold that follows the bytes fed, and
//     declined is set.
//
// Where each placement inserts:
//
//   - BeforeHeadClose: right before the '<' of the first </head …> end tag.
//   - BeforeBodyClose: right before the '<' of the first </body …> end tag.
//   - AfterHeadOpen: right after the '>' of the first <head …> start tag. A page
//     without one gets the script where the HTML parser opens the head
//     implicitly: before the first start tag other than <html> (such as
//     <title>, <meta>, <body> or <div>), before the first end tag </head>,
//     </body>, </html> or </br> (other end tags are ignored there), or before
//     the first character of text that is not whitespace. DOCTYPEs, comments,
//     bogus comments, processing instructions (<?…>) and whitespace before it
//     are skipped, as is a UTF-8 byte order mark at the very start. Character
//     references are decoded as the parser does, so &#32; or &Tab; count as
//     whitespace. Whichever comes first wins: a <head> after <title>, say,
//     is ignored by browsers. A start tag that opens the head implicitly is
//     decided as soon as its name rules out <html> and <head>, without
//     waiting for its '>': even if the stream ends inside that tag, the
//     parser opens the head right there, so the script is where it belongs
//     either way, and a long first tag (a data: URL in an <img>) is not held.
//
// A stream that starts with a UTF-16 byte order mark is never given an
// insertion point: browsers decode it as UTF-16, where an ASCII <script>
// would be garbage. hold then follows the bytes fed.
//
// The scanner jumps over text, comments, quoted attribute values, CDATA and
// the text of raw-text elements with bytes.IndexByte (or, in escaped script,
// an eight-bytes-at-a-time search for two bytes), so most bytes are looked at
// once, inside assembly. A tag that lies whole in the chunk is read in one
// pass (wholeTag: its name, then its attributes with table-driven loops) and
// dropped at once unless it is one of the few that change the tokenizer or
// the tree; only a tag cut by a chunk boundary goes through the tag states a
// byte at a time. Its whole state is a few integers and small arrays (the
// tag name, the open foreign elements, the charset watch); feed allocates
// nothing.
type scanner struct {
	fed      int64 // bytes fed so far
	at       int64 // the insertion point once done
	cand     int64 // offset of a pending candidate ('<' or '&'), or -1
	tagStart int64 // offset of the '<' of the tag being read

	placement Placement
	state     scanState
	home      scanState // the data state to return to: stHeadData or stData
	done      bool

	// The tag being read.
	end         bool                 // it is an end tag
	selfClosing bool                 // its '>' came in the self-closing start tag state
	nlen        uint8                // bytes of name kept; nameOverflow when too long to matter
	name        [maxForeignName]byte // its lower-cased name, as far as kept

	match   uint8   // progress through a fixed string: BOM, "[CDATA[", an end tag name, "Tab;"
	run     uint8   // comment closer state, or trailing '-' or ']' count
	raw     tagKind // the raw-text element whose end tag ends the text
	refHex  bool    // the character reference being read is hexadecimal
	refAny  bool    // it has at least one digit
	refName uint8   // which whitespace named reference is being matched
	refVal  uint32  // its value so far, saturated above U+10FFFF

	// The ambiguity guard (scan_tree.go).
	declined bool                                  // done without an insertion point, for the reason why
	why      Reason                                // Ambiguous or MetaCharset
	inSelect bool                                  // inside an HTML <select>
	fip      bool                                  // the innermost foreign element may be an integration point
	fdepth   uint8                                 // open foreign elements
	flen     [maxForeignDepth]uint8                // their name lengths
	fname    [maxForeignDepth][maxForeignName]byte // their lower-cased names

	cw charsetWatch // the prescan window (scan_charset.go)
}

// reset readies s for a new stream. A placement it does not know is taken as
// AfterHeadOpen, the default.
func (s *scanner) reset(p Placement) {
	home := stData
	if p != BeforeHeadClose && p != BeforeBodyClose {
		p, home = AfterHeadOpen, stHeadData
	}
	*s = scanner{placement: p, state: stBOM, home: home, cand: -1, at: -1}
}

func (s *scanner) feed(chunk []byte) (at, hold int64) {
	if s.done {
		if s.declined {
			s.fed += int64(len(chunk))
			return -1, s.fed
		}
		return s.at, s.at
	}
	base := s.fed
	s.fed += int64(len(chunk))
	for i := 0; i < len(chunk) && !s.done; {
		switch s.state {
		case stBOM:
			i = s.bom(chunk, i)
		case stHeadData:
			i = s.headData(chunk, i, base)
		case stCharRef, stCharRefNum, stCharRefDigits, stCharRefNamed:
			i = s.charRef(chunk, i)
		case stData:
			i = s.data(chunk, i, base)
		case stTagOpen:
			i = s.tagOpen(chunk, i)
		case stEndTagOpen:
			i = s.endTagOpen(chunk, i)
		case stTagName:
			i = s.tagName(chunk, i, base)
		case stBeforeAttrName, stAttrName, stAfterAttrName, stBeforeAttrValue,
			stAttrValueUnquoted, stAfterAttrValueQuoted, stSelfClosing:
			i = s.attrs(chunk, i, base)
		case stAttrValueDQ:
			i = s.quoted(chunk, i, '"')
		case stAttrValueSQ:
			i = s.quoted(chunk, i, '\'')
		case stMarkupDecl, stMarkupDash, stMarkupCDATA:
			i = s.markupDecl(chunk, i)
		case stComment:
			i = s.comment(chunk, i)
		case stBogusComment:
			i = s.bogusComment(chunk, i)
		case stCDATA:
			i = s.cdata(chunk, i)
		case stRawText, stRawTextLT, stRawTextEnd:
			i = s.rawText(chunk, i)
		case stScript, stScriptLT, stScriptEnd, stScriptEscStart, stScriptEscStartDash:
			i = s.script(chunk, i)
		case stScriptEsc, stScriptEscLT, stScriptEscEnd, stScriptDblEscStart:
			i = s.scriptEscaped(chunk, i)
		case stScriptDblEsc, stScriptDblEscLT, stScriptDblEscEnd:
			i = s.scriptDoubleEscaped(chunk, i)
		default: // stPlaintext: nothing is markup any more
			i = len(chunk)
		}
	}
	if s.cw.on {
		if !s.cw.psDone {
			s.prescan(chunk, base)
		}
		// A look may start after the prescan is done (a marker whose '<'
		// lies in the window and whose '>' past it): settle at once then.
		if s.cw.look && !s.done && s.fed >= charsetWindow && s.cw.psDone {
			s.settle()
		}
	}
	if s.done {
		if s.declined {
			return -1, s.fed
		}
		return s.at, s.at
	}
	if s.cw.look {
		return -1, s.cw.at0
	}
	if s.cand >= 0 {
		return -1, s.cand
	}
	return -1, s.fed
}

// found ends the scan with the insertion point at.
func (s *scanner) found(at int64) {
	if s.placement != lookPlacement && s.startLook(at) {
		return // settled once the prescan window has been read
	}
	s.done, s.at = true, at
}

// toHome returns to the data state after a token ends.
func (s *scanner) toHome() {
	s.state = s.home
}
