package inject

import (
	"slices"
	"strings"
	"testing"
)

// scanDeclined is what scanChunks returns for at when the scanner declined
// (the page's markup left it unsure where a browser puts the script).
const scanDeclined = -2

// scanChunks feeds doc to a fresh scanner in chunks cut at the offsets in
// cuts (any order, repeats allowed: they make empty chunks) and returns the
// insertion point (-1 if none, scanDeclined if the scanner declined) and the
// last hold. It fails t if the scanner
// breaks its contract: hold going back or past the bytes fed, or an
// insertion point before a hold already given (those bytes may be gone).
func scanChunks(t testing.TB, doc []byte, p Placement, cuts []int) (at, hold int64) {
	t.Helper()
	cuts = append(slices.Clone(cuts), len(doc))
	slices.Sort(cuts)
	var s scanner
	s.reset(p)
	prev, from := 0, int64(0)
	for _, c := range cuts {
		c = min(max(c, prev), len(doc))
		at, hold = s.feed(doc[prev:c])
		prev = c
		if hold < from || hold > int64(c) {
			t.Fatalf("%s: hold %d after %d bytes, previous hold %d", scanPlacementName(p), hold, c, from)
		}
		if at >= 0 {
			if at < from || at > int64(c) {
				t.Fatalf("%s: at %d after %d bytes, previous hold %d", scanPlacementName(p), at, c, from)
			}
			return at, hold
		}
		from = hold
		if s.declined {
			if hold != int64(c) {
				t.Fatalf("%s: declined after %d bytes with hold %d", scanPlacementName(p), c, hold)
			}
			return scanDeclined, hold
		}
	}
	return -1, hold
}

// scanString is scanChunks for a whole string in one chunk.
func scanString(t testing.TB, doc string, p Placement) (at, hold int64) {
	t.Helper()
	return scanChunks(t, []byte(doc), p, nil)
}

// scanAgrees reports whether the scanner's result at (with its last hold) on the
// whole of doc matches the oracle's want. The one allowed difference is the
// end of the stream, which the scanner cannot see: before the head it may
// still be holding, at the oracle's answer, bytes whose meaning only the end
// of the stream settles — a trailing "<" or "</" (text at the end, a tag or
// comment otherwise), a character reference still open, or the first bytes of
// a byte order mark. The writer then sends them on without an insertion.
//
// A scanner that declined agrees too, provided doc holds one of the elements
// that make the guard decline (scanMayDecline); whether the insertion points
// it does give are right is the tree oracle's job (scanTreeCheck).
func scanAgrees(doc []byte, p Placement, at, hold, want int64) bool {
	if at == want {
		return true
	}
	if at == scanDeclined {
		return p != AfterHeadOpen && scanMayDecline(doc)
	}
	if p != AfterHeadOpen || at >= 0 || want < 0 || hold != want {
		return false
	}
	rest := string(doc[want:])
	switch {
	case rest == "<", rest == "</":
		return true
	case want == 0 && len(rest) < 3 && (strings.HasPrefix("\xEF\xBB\xBF", rest) ||
		rest == "\xFE" || rest == "\xFF"):
		return true
	case strings.HasPrefix(rest, "&"):
		return scanOpenCharRef(rest[1:])
	}
	return false
}

// scanOpenCharRef reports whether s, what follows an '&' up to the end of the
// stream, may still become a whitespace character reference.
func scanOpenCharRef(s string) bool {
	for _, named := range []string{"Tab;", "NewLine;"} {
		if len(s) < len(named) && strings.HasPrefix(named, s) {
			return true
		}
	}
	num, ok := strings.CutPrefix(s, "#")
	if !ok {
		return false
	}
	digits := "0123456789"
	if len(num) > 0 && (num[0] == 'x' || num[0] == 'X') {
		num, digits = num[1:], "0123456789abcdefABCDEF"
	}
	return strings.Trim(num, digits) == ""
}

// scanCase is one row of the scanner's rule tables. In doc, "‸" marks where
// the script must go (no mark: nowhere; "⊘": the scanner declines) and "¦" where hold must be after the
// whole input when no insertion point is known (no mark: at the end). Both
// marks are removed before scanning. The marks were placed by reading the
// HTML standard's tokenizer and tree-construction rules, not by running the
// scanner.
type scanCase struct {
	name, doc string
}

// parse returns the input and the expected at and hold. A "⊘" anywhere in
// doc means the scanner must decline (at is scanDeclined).
func (c scanCase) parse() (doc []byte, at, hold int64) {
	at, hold = -1, -1
	s := c.doc
	declined := strings.Contains(s, "⊘")
	s = strings.ReplaceAll(s, "⊘", "")
	if i := strings.Index(s, "‸"); i >= 0 {
		at, s = int64(i), s[:i]+s[i+len("‸"):]
	}
	if i := strings.Index(s, "¦"); i >= 0 {
		if at > int64(i) {
			at -= int64(len("¦"))
		}
		hold, s = int64(i), s[:i]+s[i+len("¦"):]
	}
	if hold < 0 {
		hold = int64(len(s))
	}
	if declined {
		at = scanDeclined
	}
	return []byte(s), at, hold
}

// scanCasesBeforeHeadClose are the rules for finding </head>; the same
// documents with "body" for "head" serve BeforeBodyClose.
func scanCasesBeforeHeadClose() []scanCase {
	return []scanCase{
		{"plain", "<html><head><title>x</title>‸</head><body>"},
		{"upper case", "<HEAD>‸</HEAD>"},
		{"mixed case", "<head>‸</hEaD>"},
		{"space before >", "<head>‸</head >"},
		{"tab", "‸</head\t>"},
		{"line feed", "‸</head\n>"},
		{"form feed", "‸</head\f>"},
		{"carriage return", "‸</head\r>"},
		{"attribute", "<head>‸</head foo=\"x\">"},
		{"attribute hiding >", "‸</head a=\">\" b='>'>"},
		{"self-closing slash", "‸</head/>"},
		{"first of two", "<head>‸</head></head>"},
		{"header is another element", "<header></header>‸</head>"},
		{"heads is another element", "</heads>‸</head>"},
		{"head-er is another element", "</head-er>‸</head>"},
		{"NUL in the name", "</he\x00ad>‸</head>"},
		{"start tag head is no end tag", "<head>‸</head>"},
		{"text <", "a < b <‸</head>"},
		{"end tag open then text", "</>‸</head>"},
		{"no marker", "<html><body></body></html>"},
		{"cut off by the end", "<head>¦</head"},
		{"cut off in an attribute", "<head>¦</head a=\">"},
		{"cut off after the name", "x¦</head "},
		{"not a prefix", "x</hx"},
		{"lone <", "x¦<"},
		{"</", "x¦</"},
		{"</h", "x¦</h"},

		// Comments.
		{"comment", "<!-- </head> -->‸</head>"},
		{"comment hiding a lone --", "<!-- -- </head> -->‸</head>"},
		{"comment -- >", "<!-- a -- > </head> -->‸</head>"},
		{"comment --!>", "<!-- a --!>‸</head>"},
		{"comment --!x is no closer", "<!-- --!x </head> -->‸</head>"},
		{"comment --!-->", "<!-- --!-->‸</head>"},
		{"comment --!->", "<!-- --!-> </head> -->‸</head>"},
		{"comment <!-->", "<!-->‸</head>"},
		{"comment <!--->", "<!--->‸</head>"},
		{"comment <!---->", "<!---->‸</head>"},
		{"comment <!----->", "<!----->‸</head>"},
		{"comment <!--->x is open", "<!---x</head>-->‸</head>"},
		{"nested <!--", "<!--<!-- </head> -->‸</head>"},
		{"comment ending ---->", "<!-- a ---->‸</head>"},
		{"comment cut off", "<!-- </head>"},

		// Bogus comments, DOCTYPEs, processing instructions.
		{"processing instruction", "<?php echo \"</head>\" ?>‸</head>"},
		{"</ and a space", "</ </head>‸</head>"},
		{"</ and a digit", "</1</head>‸</head>"},
		{"<!x", "<!x </head>‸</head>"},
		{"<!- and a letter", "<!-x</head>‸</head>"},
		{"CDATA outside foreign content", "<![CDATA[</head>]]>‸</head>"},
		{"DOCTYPE", "<!DOCTYPE </head>‸</head>"},
		{"DOCTYPE ends at > even in quotes", "<!DOCTYPE html PUBLIC \"</head>‸</head>\">"},

		// Attribute values.
		{"double-quoted value", "<meta content=\"</head>\">‸</head>"},
		{"single-quoted value", "<meta content='</head>'>‸</head>"},
		{"unquoted value", "<a title=</head>‸</head>"},
		{"quoted value with >", "<div title=\"a>b</head>\"></div>‸</head>"},
		{"quote inside a name is no value", "<a b\"c=\"</head>\">‸</head>"},
		{"= before a name starts a name", "<a =\"x</head>\">‸</head>"},
		{"whitespace around =", "<a title = \"</head>\">‸</head>"},
		{"quote after a value", "<a b=\"x\"'</head>'>‸</head>"},
		{"cut off value", "<a title=\"</head>"},

		// Raw text.
		{"script", "<script>var s = \"</head>\";</script>‸</head>"},
		{"script upper case", "<SCRIPT>\"</head>\"</SCRIPT>‸</head>"},
		{"script ends at the first </script>", "<script>\"</script>‸</head>\"</script>"},
		{"script end tag with space", "<script></head></script >‸</head>"},
		{"script end tag with slash", "<script></head></script/>‸</head>"},
		{"script end tag with tab", "<script></head></script\t>‸</head>"},
		{"script end tag with line feed", "<script></head></script\n>‸</head>"},
		{"script end tag with form feed", "<script></head></script\f>‸</head>"},
		{"script end tag with carriage return", "<script></head></script\r>‸</head>"},
		{"script end tag with attributes", "<script></head></script a=\">\">‸</head>"},
		{"</scripty> does not end", "<script></scripty></head></script>‸</head>"},
		{"self-closing <script/> still opens", "<script/></head></script>‸</head>"},
		{"script with attributes", "<script type=\"x\" src='y'></head></script>‸</head>"},
		{"escaped script", "<script><!--</head>--></script>‸</head>"},
		{"</script> ends escaped script", "<script><!--</script>‸</head>"},
		{"double-escaped script", "<script><!--<script></script></head>--></script>‸</head>"},
		{"double-escaped: </head> within", "<script><!--<script></head></script>--></script>‸</head>"},
		{"double escape ends at -->", "<script><!--<script>--></head></script>‸</head>"},
		{"escaped <x is no double escape", "<script><!--<scripty></script>‸</head>"},
		{"escaped <1 stays escaped", "<script><!--<1<script></script></head>--></script>‸</head>"},
		{"<!--> leaves escape at once", "<script><!--><script></script>‸</head>"},
		{"<!---> leaves escape", "<script><!---><script></script>‸</head>"},
		{"- > is no escape end", "<script><!--<script>- -></script></head></script>‸</head>"},
		{"escape needs <!--", "<script><!-<script></script>‸</head>"},
		{"style", "<style></head></style>‸</head>"},
		{"textarea", "<textarea></head></textarea>‸</head>"},
		{"title", "<title></head></title>‸</head>"},
		{"title end tag with attributes", "<title>x</title foo>‸</head>"},
		{"xmp", "<xmp></head></xmp>‸</head>"},
		{"iframe", "<iframe></head></iframe>‸</head>"},
		{"noembed", "<noembed></head></noembed>‸</head>"},
		{"noframes", "<noframes></head></noframes>‸</head>"},
		{"noscript", "<noscript></head></noscript>‸</head>"},
		{"raw text needs the whole name", "<title></titlex></tit></head></title>‸</head>"},
		{"raw text end tag upper case", "<style></head></STYLE>‸</head>"},
		{"raw text end tag with tab", "<style></head></style\t>‸</head>"},
		{"raw text end tag with slash", "<style></head></style/>‸</head>"},
		{"raw text end tag with attribute hiding >", "<style></head></style a='>'>‸</head>"},
		{"raw text <!-- is text", "<style><!--</style>‸</head>-->"},
		{"plaintext", "<plaintext></head></plaintext></head>"},
		{"plaintext upper case", "<PLAINTEXT></head>"},
		{"raw text cut off", "<style></head>"},

		// Foreign content.
		{"CDATA in svg", "<svg><![CDATA[</head>]]></svg>‸</head>"},
		{"CDATA in math", "<math><![CDATA[</head>]]></math>‸</head>"},
		{"CDATA needs ]]>", "<svg><![CDATA[ ]] ]> </head> ]]></svg>‸</head>"},
		{"CDATA ]]]>", "<svg><![CDATA[ ]]]></svg>‸</head>"},
		{"CDATA is case-sensitive", "<svg><![cdata[</head></svg>‸</head>"},
		{"<svg/> does not open", "<svg/><![CDATA[</head>‸</head>"},
		{"<svg /> does not open", "<svg /><![CDATA[</head>‸</head>"},
		{"<svg a=b/> opens", "<svg a=b/><![CDATA[</head>]]></svg>‸</head>"},
		{"<svg a/> does not open", "<svg a/><![CDATA[</head>‸</head>"},
		{"<svg a='b'/> does not open", "<svg a='b'/><![CDATA[</head>‸</head>"},
		{"<svg / > opens", "<svg / ><![CDATA[</head>]]></svg>‸</head>"},
		{"style in svg is no raw text", "<svg><style></svg>‸</head>"},
		{"script in svg is no raw text", "<svg><script></svg>‸</head>"},
		{"after </svg> raw text again", "<svg></svg><style></head></style>‸</head>"},
		{"nested foreign content", "<svg><math></math><![CDATA[</head>]]></svg><![CDATA[</head>‸</head>"},
		{"</svg> without <svg>", "</svg><![CDATA[</head>‸</head>"},
		{"marker inside svg declines", "⊘<svg></head></svg>"},
		{"marker inside math declines", "⊘<math><mrow></head>"},
		{"<p> breaking out of svg declines", "⊘<svg><p><style></head></style></head>"},
		{"<div> breaking out of nested svg declines", "⊘<svg><svg><math><div><![CDATA[</head></head>"},
		{"</p> in svg declines", "⊘<svg></p><style></head></style></head>"},
		{"</br> in math declines", "⊘<math></br><title></head></title></head>"},
		{"<font> in svg declines", "⊘<svg><font><style></head></style>"},
		{"<font color> in svg declines", "⊘<svg><font color=red><xmp></head>"},
		{"<header> does not break out", "<svg><header><style></svg>‸</head>"},
		{"</svg> closes an inner <math>", "<svg><math></svg><style></head></style>‸</head>"},
		{"</math> closes an inner <svg>", "<math><svg></math><![CDATA[</head>‸</head>"},
		{"</math> with no <math> open declines", "⊘<svg></math><![CDATA[</head>]]></head>"},
		{"</div> in svg declines", "⊘<svg></div><textarea></head>"},
		{"</table> in svg declines", "⊘<table><svg></table><noscript></head>"},
		{"</svg> closes the inner <svg> only", "<svg><svg></svg><![CDATA[</head>]]></svg>‸</head>"},
		{"end tags match whatever the case", "<svg><linearGradient><stop/></LINEARGRADIENT></svg>‸</head>"},
		{"an end tag closes every element inside", "<svg><g><path><g></svg>‸</head>"},
		{"text in an integration point", "<svg><title>Close &amp; go</title><desc>x</desc><path d=x/></svg>‸</head>"},
		{"a start tag in <foreignObject> declines", "⊘<svg><foreignObject><textarea name=x></head>"},
		{"a start tag in <title> in svg declines", "⊘<svg><title><b>x</b></title></svg></head>"},
		{"a start tag in <mi> declines", "⊘<math><mi><style></head>"},
		{"a start tag in <annotation-xml> declines", "⊘<math><annotation-xml encoding=text/html><p></head>"},
		{"a self-closing tag in <desc> declines", "⊘<svg><desc><path/></desc></svg></head>"},
		{"svg in a table cell", "<table><tr><td><svg><path/></svg></td></tr></table>‸</head>"},
		{"deep nesting within the limit", "<svg>" + strings.Repeat("<g>", maxForeignDepth-1) + "</svg>‸</head>"},
		{"deeper nesting declines", "⊘<svg>" + strings.Repeat("<g>", maxForeignDepth) + "</svg></head>"},
		{"a long name in foreign content declines", "⊘<svg><" + strings.Repeat("x", maxForeignName+1) + "></svg></head>"},
		{"the longest name kept", "<svg><" + strings.Repeat("x", maxForeignName) + "></svg>‸</head>"},
		{"<template> declines", "⊘<template></template></head>"},
		{"<frameset> declines", "⊘<frameset><noframes></noframes></head>"},
		{"<select> with options", "<select><option>a</option><optgroup label=x><option>b<hr></select>‸</head>"},
		{"marker in <select> declines", "⊘<select><option></head>"},
		{"other tags in <select> decline", "⊘<select><style></select><textarea></style></head>"},
		{"other end tags in <select> decline", "⊘<select></div></select></head>"},
		{"<select> in svg is foreign", "<svg><select><style></svg>‸</head>"},
		{"upper-case SVG", "<SVG><![CDATA[</head>]]></SVG>‸</head>"},

		// Bytes that are not text.
		{"byte order mark", "\xEF\xBB\xBF‸</head>"},
		{"UTF-16 byte order mark", "\xFE\xFF</head>"},
		{"UTF-16LE byte order mark", "\xFF\xFE</head>"},
		{"NUL", "\x00‸</head>"},
		{"invalid UTF-8", "\xC3\x28\xFF<\xFE‸</head>"},
	}
}

// scanCasesAfterHeadOpen are the rules for the head's start.
func scanCasesAfterHeadOpen() []scanCase {
	return []scanCase{
		{"plain", "<html><head>‸<title>"},
		{"doctype and attributes", "<!DOCTYPE html><html lang=en><head class=a>‸<meta>"},
		{"tab in the tag", "<head\tclass=a>‸"},
		{"upper case", "<HEAD>‸"},
		{"self-closing", "<head/>‸"},
		{"attribute hiding >", "<head data-x=\">\">‸"},
		{"second <html>", "<html><html><head>‸"},
		{"<html> attribute hiding <head>", "<html data-x=\"<head>\"><head>‸"},
		{"leading whitespace", " \t\r\n\f<head>‸"},
		{"comment", "<!-- <head> --><head>‸"},
		{"abrupt comment", "<!--><head>‸"},
		{"comment --!>", "<!-- --!><head>‸"},
		{"processing instruction", "<?xml version=\"1.0\"?><head>‸"},
		{"bogus comment", "<!x><head>‸"},
		{"</ and a space", "</ x><head>‸"},
		{"</> is dropped", "</><head>‸"},
		{"CDATA is a bogus comment", "<![CDATA[x]]><head>‸"},
		{"DOCTYPE ends at > in quotes", "<!DOCTYPE html PUBLIC \"a>‸b\"><head>"},
		{"ignored end tag", "</p><head>‸"},
		{"ignored end tag hiding <head>", "</div class=\"<head>\"><head>‸"},
		{"byte order mark", "\xEF\xBB\xBF<head>‸"},
		{"byte order mark then text", "\xEF\xBB\xBF‸x"},
		{"half a byte order mark", "‸\xEF\xBBx"},
		{"UTF-16 byte order mark", "\xFE\xFF<head>"},
		{"UTF-16LE byte order mark", "\xFF\xFE<head>"},
		{"lone FE", "‸\xFEx"},

		// No <head>: where the parser opens it.
		{"title", "<!DOCTYPE html><html>‸<title>x</title>"},
		{"meta", "<!DOCTYPE html>‸<meta charset=utf-8>"},
		{"body", "<html>\n‸<body>"},
		{"div", "‸<div><head>"},
		{"header", "‸<header>"},
		{"headline", "‸<headline>"},
		{"headx", "‸<headx>"},
		{"htm", "‸<htm>"},
		{"htmlx", "‸<htmlx>"},
		{"h1", "‸<h1>"},
		{"decided by the name: <d", "‸<d"},
		{"decided by the name: <hx", "‸<hx"},
		{"decided by the name: <heade", "‸<heade"},
		{"decided by the name: <htmlx", "‸<htmlx"},
		{"decided by the name: <htm and space", "‸<htm "},
		{"decided by the name: </br and space", "‸</br "},
		{"svg", "‸<svg>"},
		{"script", "‸<script><head>"},
		{"</head>", "‸</head>"},
		{"</body>", "‸</body>"},
		{"</html>", "‸</html>"},
		{"</br>", "‸</br>"},
		{"</BR >", "‸</BR >"},
		{"text", "<!DOCTYPE html>\n  ‸Hello<head>"},
		{"text at the start", "‸a<head>"},
		{"NUL is text", "‸\x00<head>"},
		{"< and a space is text", "‸< head>"},
		{"<3 is text", "‸<3"},
		{"<< is text", "‸<<head>"},
		{"invalid UTF-8 is text", "‸\xFF<head>"},

		// Character references.
		{"&#32;", "&#32;<head>‸"},
		{"all whitespace references", "&#x20;&#9;&#10;&#12;&#13;&#X0d;&Tab;&NewLine;<head>‸"},
		{"&#32 without ;", "&#32<head>‸"},
		{"leading zeros", "&#00000000000000000032;<head>‸"},
		{"whitespace reference then text", "&#32;‸x"},
		{"&#32 then text", "&#32‸x"},
		{"&#32 then a hex letter", "&#32‸ab<head>"},
		{"&amp;", "‸&amp;<head>"},
		{"&#33;", "‸&#33;<head>"},
		{"&nbsp;", "‸&nbsp;"},
		{"&Tab without ;", "‸&Tabx"},
		{"&tab; is not &Tab;", "‸&tab;"},
		{"&#;", "‸&#;"},
		{"&#x;", "‸&#x;"},
		{"&#0; is U+FFFD", "‸&#0;"},
		{"beyond U+10FFFF", "‸&#x110020;"},
		{"&#x80; is from windows-1252", "‸&#x80;"},
		{"lone &", "‸& <head>"},
		{"&&", "‸&&"},

		// What stays held at the end of the input.
		{"lone <", "¦<"},
		{"<h", "¦<h"},
		{"<head", "¦<head"},
		{"<head and space", "<head "},
		{"<html", "¦<html"},
		{"<html and space", "<html "},
		{"</b", "¦</b"},
		{"</br", "¦</br"},
		{"</x", "</x"},
		{"<!-", "<!-"},
		{"&", "¦&"},
		{"&#3", "¦&#3"},
		{"&#x", "¦&#x"},
		{"&NewLi", "¦&NewLi"},
		{"whitespace", " \n "},
		{"BOM start", "¦\xEF"},
		{"comment", "<!-- x"},
		{"in a <head> tag", "<head a=\"x"},
		{"in an <html> tag", "<html a=\"<head>"},
	}
}

// forBody turns a </head> case into a </body> case.
func forBody(c scanCase) scanCase {
	c.doc = strings.ReplaceAll(strings.ReplaceAll(c.doc, "head", "body"), "HEAD", "BODY")
	c.doc = strings.ReplaceAll(strings.ReplaceAll(c.doc, "hEaD", "bOdY"), "he\x00ad", "bo\x00dy")
	return c
}

func TestScanRules(t *testing.T) {
	tables := map[Placement][]scanCase{
		AfterHeadOpen:   scanCasesAfterHeadOpen(),
		BeforeHeadClose: scanCasesBeforeHeadClose(),
	}
	// These rows mean nothing once "head" becomes "body"; the body table
	// has its own.
	headOnly := map[string]bool{"no marker": true, "</h": true}
	tables[BeforeBodyClose] = []scanCase{
		{"no marker", "<html><head></head></html>"},
		{"</b", "x¦</b"},
		{"first of two bodies", "<body>‸</body><body></body>"},
		{"commented out", "<!-- </body></html> -->‸</body></html>"},
	}
	for _, c := range scanCasesBeforeHeadClose() {
		if !headOnly[c.name] {
			tables[BeforeBodyClose] = append(tables[BeforeBodyClose], forBody(c))
		}
	}
	for _, p := range scanPlacements {
		for _, c := range tables[p] {
			t.Run(scanPlacementName(p)+"/"+c.name, func(t *testing.T) {
				doc, wantAt, wantHold := c.parse()
				for k := 0; k <= len(doc); k++ {
					for _, cuts := range [][]int{{k}, scanEveryByte(k)} {
						at, hold := scanChunks(t, doc, p, cuts)
						if at != wantAt || (at == -1 && hold != wantHold) {
							t.Fatalf("%q cut at %v: at, hold = %d, %d; want %d, %d", doc, cuts, at, hold, wantAt, wantHold)
						}
					}
				}
			})
		}
	}
}
