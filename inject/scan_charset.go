package inject

import (
	"bytes"
	"strings"
)

// This file keeps the default placement from moving a page's character
// encoding declaration out of the prescan window.
//
// A browser that has no byte order mark and no charset in Content-Type
// decodes the page with what the HTML standard's "prescan a byte stream to
// determine its encoding" finds in the first 1024 bytes: a <meta charset> or
// <meta http-equiv=content-type content="…charset=…">. Inserting 1–2 KiB
// before such a declaration would push it out of that window, and a
// windows-1251 page would be read as windows-1252.
//
// So, when the writer asks for it (watchCharset), AfterHeadOpen does not stop
// at its insertion point at0 when at0 lies inside the window: it runs the
// prescan itself, byte for byte as the standard writes it, over the window,
// and keeps tokenizing from at0 while the page there is nothing but white
// space, comments, and head elements that run nothing (<meta>, <link>,
// <base>, <title>, <style>, <noscript>): the run. At the end of the window
// (or of the stream) it settles:
//
//   - no declaration the prescan could find ends after at0: insert at at0;
//   - else, if the last such declaration ends where a <meta> of the run
//     ends: insert right after it — still in <head>, still before any
//     script, and the prescan reads the same bytes up to the declaration;
//   - else, if the prescan reads at0 as the tokenizer does and every such
//     declaration still ends inside the window once the element is inserted
//     at at0: insert at at0;
//   - else decline (MetaCharset): the page goes out unchanged.
//
// BeforeHeadClose and BeforeBodyClose do the same at their insertion point
// when it lies inside the window (a template may put a <meta charset> after
// </head>, or even after </body>), without a run: their point cannot move,
// so they insert there when every declaration still ends inside the window,
// and decline otherwise.
//
// What counts as a declaration is a superset of the standard's: any <meta>
// with a charset attribute, or with a content attribute that mentions
// "charset" and an http-equiv of content-type; the encoding label is not
// looked up; and a <meta> that starts inside the window and ends past it,
// which Chromium reads whole (its sniffer counts bytes after each token).
// A superset can only move the script later or decline more.

// charsetWindow is how many bytes the prescan looks at.
const charsetWindow = 1024

// prescanState is a state of the prescan (the standard's steps, named after
// what they read).
type prescanState uint8

const (
	psData        prescanState = iota // looking for '<'
	psLT                              // after '<'
	psBang                            // "<!"
	psBangDash                        // "<!-"
	psComment                         // "<!--" up to "-->"
	psSlash                           // "</"
	psSkip                            // to the next '>' ("<!", "</", "<?")
	psMeta                            // "<m", "<me"…: maybe "<meta" and white space or '/'
	psTagName                         // a tag's name, up to white space or '>'
	psAttr                            // "get an attribute": before its name
	psAttrName                        // its name
	psAfterName                       // white space after the name
	psBeforeValue                     // after '='
	psQuoted                          // a quoted value
	psUnquoted                        // an unquoted value
)

// charsetWatch is the scanner's state for this file.
type charsetWatch struct {
	on       bool  // the writer asked for it, and no byte order mark settled the encoding
	look     bool  // at0 is known; settling is pending
	at0      int64 // AfterHeadOpen's insertion point
	ins      int64 // the length of the inserted element
	runOpen  bool  // the page from at0 on is still white space, comments, <meta> and <link>
	at0Known bool  // at0Data is known
	at0Data  bool  // the prescan reads at0 in its data state
	psUpTo   int64 // the prescan has read the stream up to here
	psDone   bool  // the prescan has read the window and any <meta> it cuts

	metaEnds [charsetWindow/64 + 1]uint64 // bit e: a <meta> of the run ends at offset e

	ps         prescanState
	psQuote    byte
	psMatch    uint8 // progress through "eta" or through an attribute's name or value
	psInMeta   bool  // the tag being read is a <meta>
	psTag      int64 // offset of the current tag's '<'
	psDataFrom int64 // where the prescan last entered its data state
	psLastLT   int64 // the '<' at which it last left it
	psName     uint8 // the attribute being read: 0 other, 1 charset, 2 content, 3 http-equiv
	psNameBuf  [10]byte
	psNameLen  uint8
	psValMatch uint8 // progress through "charset" in a content value
	psValEq    uint8 // progress through "content-type" in an http-equiv value; 255 once off
	psCharset  bool  // the meta has a charset attribute
	psContent  bool  // its content mentions charset
	psPragma   bool  // its http-equiv is content-type
	lastDecl   int64 // end of the last declaration found, or -1
}

// watchCharset asks the scan to keep a charset declaration inside the
// prescan window for an element of ins bytes, at any placement. Call it right after
// reset, before the first feed.
func (s *scanner) watchCharset(ins int) {
	s.cw = charsetWatch{on: true, ins: int64(ins), lastDecl: -1, psLastLT: -1}
}

// declaresCharset reports whether a Content-Type header declares a charset
// that settles the page's encoding before any prescan. Only the labels of
// UTF-8 are recognised here; any other value leaves the prescan in charge as
// far as this file is concerned, which is the cautious reading.
//
// Browsers read the header less simply than one might: Chromium takes the
// charset of the last Content-Type value (a later value of the same type
// without one keeps an earlier one's), ignores a label it does not know,
// and does not take "charset =utf-8" (white space before "=") or
// charset='utf-8' as a charset at all; in each case it decodes the page by
// its <meta>. So the header settles the encoding here only when it is one
// value, without a comma, with one charset parameter written plainly
// (charset=utf-8 or charset="utf-8"); anything else leaves the watch on.
func declaresCharset(ct []string) bool {
	if len(ct) != 1 || strings.IndexByte(ct[0], ',') >= 0 {
		return false
	}
	// A parameter scan by hand: mime.ParseMediaType allocates a map, and
	// this runs for every HTML response.
	params, found := ct[0], false
	for {
		i := strings.IndexByte(params, ';')
		if i < 0 {
			return found
		}
		params = params[i+1:]
		kv := params
		if j := strings.IndexByte(kv, ';'); j >= 0 {
			kv = kv[:j]
		}
		k, v, ok := strings.Cut(kv, "=")
		name := strings.TrimLeft(k, " \t")
		if !strings.EqualFold(strings.TrimRight(name, " \t"), "charset") {
			continue
		}
		if !ok || found || len(name) != len("charset") {
			return false // no value, a second charset, or white space before "="
		}
		v = strings.TrimRight(v, " \t")
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		utf8Label := false
		for _, label := range []string{"utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"} {
			if strings.EqualFold(v, label) {
				utf8Label = true
			}
		}
		if !utf8Label {
			return false
		}
		found = true
	}
}

// startLook is called instead of ending the scan when AfterHeadOpen has
// found at0 and the window must be watched. It reports whether it took over.
func (s *scanner) startLook(at0 int64) bool {
	if !s.cw.on || at0 >= charsetWindow {
		return false
	}
	w := &s.cw
	w.look, w.at0 = true, at0
	// The token at at0 may still be a <meta> or <link> of the run only if
	// it is a start tag being read, or if at0 is just past <head>.
	switch s.state {
	case stTagName, stBeforeAttrName, stAttrName, stAfterAttrName, stBeforeAttrValue,
		stAttrValueDQ, stAttrValueSQ, stAttrValueUnquoted, stAfterAttrValueQuoted, stSelfClosing:
		w.runOpen = !s.end
	default:
		w.runOpen = s.state == s.home && s.home == stHeadData && !s.end && s.nameIs("head")
	}
	s.cand = -1
	s.placement = lookPlacement
	s.home = stData
	if !w.runOpen {
		s.state = stPlaintext // only the prescan matters from here
	} else if s.state == stHeadData {
		s.state = stData
	}
	// Where the prescan already went past at0, say whether it was in its
	// data state there.
	if w.psUpTo > at0 {
		w.at0Known = true
		w.at0Data = at0 == w.psLastLT || w.ps == psData && w.psDataFrom <= at0
	}
	return true
}

// lookPlacement marks a scanner that watches the window past at0.
const lookPlacement Placement = -1

// lookEmit classifies a complete tag after at0: only the head's own
// elements that run nothing keep the run going (<meta>, <link>, <base>, and
// <title>, <style> and <noscript> with their text).
func (s *scanner) lookEmit(after int64) {
	w := &s.cw
	switch {
	case !w.runOpen:
	case s.end && s.nlen == 0:
		return // the end tag that closed a raw-text element of the run
	case s.end:
	case s.nameIs("meta"):
		if after <= charsetWindow {
			w.metaEnds[after/64] |= 1 << (after % 64)
		}
		return
	case s.nameIs("link") || s.nameIs("base"):
		return
	case s.nameIs("title") || s.nameIs("style") || s.nameIs("noscript"):
		s.raw, s.state = s.startTagKind(), stRawText
		return
	}
	s.breakRun()
}

// breakRun ends the run: from here on only the prescan is needed.
func (s *scanner) breakRun() {
	s.cw.runOpen = false
	s.state = stPlaintext
}

// settle decides once the window (or the stream) has been read.
func (s *scanner) settle() {
	w := &s.cw
	w.look = false
	// A <meta> the window cuts that the prescan could not finish (see
	// prescan) counts as a declaration ending past the window: nothing may
	// move it. One it finished set lastDecl itself if it declares.
	if w.psUpTo >= charsetWindow && w.cutMeta() {
		w.lastDecl = max(w.lastDecl, charsetWindow+1)
	}
	if w.lastDecl <= w.at0 {
		if w.at0Data {
			s.found(w.at0)
		} else {
			s.decline(MetaCharset)
		}
		return
	}
	if e := w.lastDecl; e <= charsetWindow && w.metaEnds[e/64]>>(e%64)&1 != 0 {
		s.found(e)
		return
	}
	if w.at0Data && w.lastDecl+w.ins <= charsetWindow {
		s.found(w.at0)
		return
	}
	s.decline(MetaCharset)
}

// cutMeta reports whether the prescan stopped at the window's end inside
// what may be a <meta>: after '<' or within "<meta", or in a <meta>'s
// attributes.
func (w *charsetWatch) cutMeta() bool {
	switch w.ps {
	case psLT, psMeta:
		return true
	case psAttr, psAttrName, psAfterName, psBeforeValue, psQuoted, psUnquoted:
		return w.psInMeta
	}
	return false
}

// atEOF settles a scan that was waiting for the rest of the window, now
// that the stream has ended; it returns the insertion point, or -1.
func (s *scanner) atEOF() int64 {
	if s.cw.look && !s.done {
		s.settle()
	}
	if s.done && !s.declined {
		return s.at
	}
	return -1
}

// cross records at0's prescan state if at0 lies in [from, to).
func (w *charsetWatch) cross(from, to int64, data bool) {
	if w.look && !w.at0Known && from <= w.at0 && w.at0 < to {
		w.at0Known, w.at0Data = true, data
	}
}

// maxCutMeta bounds how far past the window the prescan reads to finish a
// <meta> the window cuts (see prescan); a longer one counts as a declaration
// past the window.
const maxCutMeta = 1024

// prescan runs the standard's prescan over the part of chunk (which starts
// at stream offset base) that lies inside the window, and past it only to
// finish a <meta> that the window's end cuts: Chromium's sniffer checks the
// count of bytes read after each whole token, not each byte, so it reads
// such a tag to its end and honours its charset. done is set once nothing
// more will be read.
func (s *scanner) prescan(chunk []byte, base int64) {
	w := &s.cw
	if w.psDone {
		return
	}
	if base < charsetWindow {
		n := min(int64(len(chunk)), charsetWindow-base)
		s.prescanRange(chunk[:n], base)
		chunk, base = chunk[n:], base+n
	}
	for len(chunk) > 0 && w.psUpTo >= charsetWindow && w.cutMeta() && w.psUpTo < charsetWindow+maxCutMeta {
		s.prescanRange(chunk[:1], base)
		chunk, base = chunk[1:], base+1
	}
	if w.psUpTo >= charsetWindow && (!w.cutMeta() || w.psUpTo >= charsetWindow+maxCutMeta) {
		w.psDone = true
	}
}

// prescanRange runs the prescan over b, which starts at stream offset base.
func (s *scanner) prescanRange(b []byte, base int64) {
	w := &s.cw
	w.psUpTo = base + int64(len(b))
	for i := 0; i < len(b); {
		o := base + int64(i)
		c := b[i]
		if w.ps != psData {
			w.cross(o, o+1, false)
		}
		switch w.ps {
		case psData:
			j := bytes.IndexByte(b[i:], '<')
			if j < 0 {
				w.cross(o, base+int64(len(b)), true)
				return
			}
			w.cross(o, o+int64(j)+1, true)
			w.ps, w.psTag, w.psLastLT = psLT, o+int64(j), o+int64(j)
			i += j + 1
			continue
		case psLT:
			switch {
			case c == '!':
				w.ps = psBang
			case c == '/':
				w.ps = psSlash
			case c == '?':
				w.ps = psSkip
			case c|0x20 == 'm':
				w.ps, w.psMatch = psMeta, 0
			case isAlpha(c):
				w.ps = psTagName
			default:
				w.toData(o)
				continue // read c again
			}
		case psBang:
			if c == '-' {
				w.ps = psBangDash
			} else {
				w.ps = psSkip
				continue
			}
		case psBangDash:
			if c == '-' {
				w.ps, w.psMatch = psComment, 2 // the dashes of "<!--" count
			} else {
				w.ps = psSkip
				continue
			}
		case psComment:
			switch {
			case c == '-':
				w.psMatch = min(w.psMatch+1, 2)
			case c == '>' && w.psMatch == 2:
				w.toData(o + 1)
			default:
				w.psMatch = 0
			}
		case psSlash:
			if isAlpha(c) {
				w.ps = psTagName
			} else {
				w.ps = psSkip
				continue
			}
		case psSkip:
			j := bytes.IndexByte(b[i:], '>')
			if j < 0 {
				w.cross(o, base+int64(len(b)), false)
				return
			}
			w.cross(o, o+int64(j)+1, false)
			w.toData(o + int64(j) + 1)
			i += j + 1
			continue
		case psMeta:
			if w.psMatch < 3 {
				if c|0x20 == "eta"[w.psMatch] {
					w.psMatch++
					break
				}
				w.ps = psTagName
				continue
			}
			if isWS(c) || c == '/' {
				w.psInMeta = true
				w.psCharset, w.psContent, w.psPragma = false, false, false
				w.ps = psAttr
				continue
			}
			w.ps = psTagName
			continue
		case psTagName:
			if isWS(c) || c == '>' {
				w.psInMeta = false
				w.ps = psAttr
				continue
			}
		case psAttr:
			switch {
			case isWS(c) || c == '/':
			case c == '>':
				if w.psInMeta && (w.psCharset || w.psContent && w.psPragma) {
					w.lastDecl = o + 1
				}
				w.psInMeta = false
				w.toData(o + 1)
			default:
				w.ps, w.psNameLen = psAttrName, 0
				continue
			}
		case psAttrName:
			switch {
			case c == '=' && w.psNameLen > 0:
				w.startValue()
				w.ps = psBeforeValue
			case isWS(c):
				w.ps = psAfterName
			case c == '/' || c == '>':
				w.startValue()
				w.endAttr()
				w.ps = psAttr
				continue
			default:
				if w.psNameLen < uint8(len(w.psNameBuf)) {
					w.psNameBuf[w.psNameLen] = lower(c)
				}
				w.psNameLen = min(w.psNameLen+1, uint8(len(w.psNameBuf))+1)
			}
		case psAfterName:
			switch {
			case isWS(c):
			case c == '=':
				w.startValue()
				w.ps = psBeforeValue
			default:
				w.startValue()
				w.endAttr()
				w.ps = psAttr
				continue
			}
		case psBeforeValue:
			switch {
			case isWS(c):
			case c == '"' || c == '\'':
				w.ps, w.psQuote = psQuoted, c
			case c == '>':
				w.endAttr()
				w.ps = psAttr
				continue
			default:
				w.valueByte(c)
				w.ps = psUnquoted
			}
		case psQuoted:
			if c == w.psQuote {
				w.endAttr()
				w.ps = psAttr
			} else {
				w.valueByte(c)
			}
		case psUnquoted:
			if isWS(c) || c == '>' {
				w.endAttr()
				w.ps = psAttr
				continue
			}
			w.valueByte(c)
		}
		i++
	}
}

// toData returns the prescan to its data state at offset o.
func (w *charsetWatch) toData(o int64) {
	w.ps, w.psDataFrom = psData, o
}

// startValue classifies the attribute whose name has just been read.
func (w *charsetWatch) startValue() {
	w.psName = 0
	if w.psNameLen <= uint8(len(w.psNameBuf)) {
		switch string(w.psNameBuf[:w.psNameLen]) {
		case "charset":
			w.psName = 1
		case "content":
			w.psName = 2
		case "http-equiv":
			w.psName = 3
		}
	}
	w.psValMatch, w.psValEq = 0, 0
}

// valueByte reads one byte of an attribute value (the prescan lower-cases
// values).
func (w *charsetWatch) valueByte(c byte) {
	if !w.psInMeta {
		return
	}
	c = lower(c)
	switch w.psName {
	case 2:
		const word = "charset"
		switch {
		case w.psValMatch == uint8(len(word)):
		case c == word[w.psValMatch]:
			w.psValMatch++
		case c == word[0]:
			w.psValMatch = 1
		default:
			w.psValMatch = 0
		}
	case 3:
		const want = "content-type"
		if w.psValEq < uint8(len(want)) && c == want[w.psValEq] {
			w.psValEq++
		} else {
			w.psValEq = 255
		}
	}
}

// endAttr records a complete attribute of a <meta>; startValue has
// classified its name.
func (w *charsetWatch) endAttr() {
	if !w.psInMeta {
		return
	}
	switch w.psName {
	case 1:
		w.psCharset = true
	case 2:
		w.psContent = w.psContent || w.psValMatch == uint8(len("charset"))
	case 3:
		w.psPragma = w.psPragma || w.psValEq == uint8(len("content-type"))
	}
	w.psName = 0
}

// allWS reports whether b is all ASCII white space.
func allWS(b []byte) bool {
	for _, c := range b {
		if !isWS(c) {
			return false
		}
	}
	return true
}
