package inject

import (
	"encoding/binary"
	"math/bits"
)

// scanState is a state of the scanner. The names follow the tokenizer states
// of the HTML standard (https://html.spec.whatwg.org/#tokenization); a few
// standard states that only differ in what they emit are merged, and the
// st*Ref states decode the character references that matter before the head.
type scanState uint8

const (
	stBOM           scanState = iota // at the start: a byte order mark?
	stHeadData                       // data state before the head is open (AfterHeadOpen)
	stCharRef                        // '&' before the head
	stCharRefNum                     // "&#"
	stCharRefDigits                  // "&#1…", "&#x1…"
	stCharRefNamed                   // "&T…" or "&N…", maybe &Tab; or &NewLine;
	stData
	stTagOpen
	stEndTagOpen
	stTagName
	stBeforeAttrName
	stAttrName
	stAfterAttrName
	stBeforeAttrValue
	stAttrValueDQ
	stAttrValueSQ
	stAttrValueUnquoted
	stAfterAttrValueQuoted
	stSelfClosing
	stMarkupDecl  // "<!"
	stMarkupDash  // "<!-"
	stMarkupCDATA // "<![", "<![C"… in foreign content
	stComment
	stBogusComment // also DOCTYPE and processing instructions: all end at the first '>'
	stCDATA
	stRawText    // RCDATA and RAWTEXT: they differ only in character references
	stRawTextLT  // "<"
	stRawTextEnd // "</", "</s"… towards the appropriate end tag
	stScript
	stScriptLT
	stScriptEnd
	stScriptEscStart
	stScriptEscStartDash
	stScriptEsc // script data escaped, with its dash states folded into run
	stScriptEscLT
	stScriptEscEnd
	stScriptDblEscStart
	stScriptDblEsc // script data double escaped, dash states folded into run
	stScriptDblEscLT
	stScriptDblEscEnd
	stPlaintext // after <plaintext>, or in a UTF-16 stream: nothing is markup
)

// tagKind names the start tags the scanner tells apart: the raw-text
// elements, whose text it is in until their end tag, and svg and math,
// which open foreign content; zero is any other.
type tagKind uint8

const (
	rawNone tagKind = iota
	rawScript
	rawStyle
	rawTextarea
	rawTitle
	rawXmp
	rawIframe
	rawNoembed
	rawNoframes
	rawNoscript
	rawPlaintext
	tagSVG  // not raw text: opens foreign content
	tagMath // not raw text: opens foreign content
)

// name is the element's tag name, which its appropriate end tag repeats.
func (k tagKind) name() string {
	switch k {
	case rawScript:
		return "script"
	case rawStyle:
		return "style"
	case rawTextarea:
		return "textarea"
	case rawTitle:
		return "title"
	case rawXmp:
		return "xmp"
	case rawIframe:
		return "iframe"
	case rawNoembed:
		return "noembed"
	case rawNoframes:
		return "noframes"
	case rawNoscript:
		return "noscript"
	case rawPlaintext:
		return "plaintext"
	case tagSVG:
		return "svg"
	case tagMath:
		return "math"
	}
	return ""
}

// nameOverflow in scanner.nlen marks a tag name longer than any the scanner
// needs to recognise; such a name equals none of them.
const nameOverflow = maxForeignName + 1

// asciiWS has a bit set for each byte the tokenizer treats as whitespace. CR
// is among them because the input stream turns it into LF before tokenizing.
const asciiWS = 1<<'\t' | 1<<'\n' | 1<<'\f' | 1<<'\r' | 1<<' '

func isWS(c byte) bool { return c < 64 && asciiWS>>c&1 != 0 }

func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// lower lower-cases ASCII letters only, as tag names are.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFoldLetter reports whether c is want, a lower-case letter, in either case.
func equalFoldLetter(c, want byte) bool { return c|0x20 == want }

// trailing counts how many times c ends seg, up to two; when seg is all c
// (or empty) the count carries on from prev, the count before seg.
func trailing(prev uint8, seg []byte, c byte) uint8 {
	n := len(seg)
	k := 0
	for k < 2 && k < n && seg[n-1-k] == c {
		k++
	}
	if k == n {
		k += int(prev)
	}
	return uint8(min(k, 2))
}

// indexEither returns the index of the first x or y in b, or -1. It tests
// eight bytes at a time: bytes.IndexAny has no fast path for two bytes, and
// two calls of bytes.IndexByte can rescan the same text over and over.
func indexEither(b []byte, x, y byte) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	mx, my := lo*uint64(x), lo*uint64(y)
	i := 0
	for ; i+8 <= len(b); i += 8 {
		v := binary.LittleEndian.Uint64(b[i:])
		a, c := v^mx, v^my
		// A zero byte in a or c is a match. The lowest flagged byte is
		// exact; borrows can only flag bytes above it.
		if z := (a-lo)&^a&hi | (c-lo)&^c&hi; z != 0 {
			return i + bits.TrailingZeros64(z)/8
		}
	}
	for ; i < len(b); i++ {
		if b[i] == x || b[i] == y {
			return i
		}
	}
	return -1
}
