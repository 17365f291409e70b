package inject

import (
	"strconv"
	"strings"
)

// asciiIncompatibleType reports whether any Content-Type value declares a
// charset in which the inserted ASCII bytes would not read as themselves.
//
// Browsers decode a page in the charset of the HTTP Content-Type when they
// know its label (a byte order mark aside), so a page sent as
// "text/html; charset=utf-16" is decoded as UTF-16LE, and "<script>" at any
// offset turns into CJK text and shifts the rest of the page by a byte. The
// WHATWG Encoding standard's encodings that are not ASCII-compatible are
// UTF-16BE, UTF-16LE, ISO-2022-JP and the replacement encoding (ISO-2022-KR,
// ISO-2022-CN, HZ-GB-2312). Labels a browser does not know are ignored
// there (the page falls back to an ASCII-compatible default), but a label
// naming a non-ASCII-compatible charset of any other registry (UTF-32,
// UCS-2, UCS-4, UTF-7, SCSU, BOCU, the EBCDIC code pages) may be honoured by
// some other client, so those are declined too. Every charset parameter of
// every value counts, not only the first one a browser would take.
func asciiIncompatibleType(values []string) bool {
	for _, v := range values {
		switch v {
		case "text/html; charset=utf-8", "text/html; charset=UTF-8", "text/html;charset=utf-8", "text/html;charset=UTF-8", "text/html":
			continue // the usual values, known ASCII-compatible, without parsing
		}
		for label := range charsetParams(v) {
			if asciiIncompatibleLabel(label) {
				return true
			}
		}
	}
	return false
}

// charsetParams yields the value of every parameter named charset (ASCII
// case-insensitive, white space around the name allowed) in a Content-Type
// value, as written (quotes and all), under two readings: one where quoted
// strings do not split, and one where every ';' and ',' does. Browsers do
// not agree on where a quoted string starts: Chromium reads
// `text/html; foo=bar"; charset=utf-16` as UTF-16, the quote in the middle
// of a token opening nothing, so a label either reading finds counts.
func charsetParams(v string) func(func(string) bool) {
	return func(yield func(string) bool) {
		var params []string
		start, quoted := 0, false
		for i := 0; i <= len(v); i++ {
			if i < len(v) {
				switch c := v[i]; {
				case quoted && c == '\\':
					i++
					continue
				case c == '"':
					quoted = !quoted
					continue
				case c != ';' || quoted:
					continue
				}
			}
			params = append(params, v[start:min(i, len(v))])
			start = i + 1
		}
		if strings.IndexByte(v, '"') >= 0 {
			// The naive reading: every ';' and ',' splits.
			params = append(params, strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' })...)
		}
		for _, p := range params[1:] { // params[0] is the type itself
			name, value, ok := strings.Cut(p, "=")
			if ok && equalFoldASCII(strings.Trim(name, " \t"), "charset") && !yield(value) {
				return
			}
		}
	}
}

// asciiIncompatibleLabel reports whether a charset label names an encoding
// that is not ASCII-compatible. The label is read with only its ASCII
// letters and digits, lower-cased, so quotes, escapes, dashes, underscores
// and white space cannot hide a name ("UTF_16", "\"utf-16le\"", "utf 16").
func asciiIncompatibleLabel(label string) bool {
	if l := strings.Trim(label, " \t\""); equalFoldASCII(l, "utf-8") || equalFoldASCII(l, "utf8") {
		return false // the usual case, without the copy below
	}
	var buf [64]byte
	n := 0
	for i := 0; i < len(label); i++ {
		c := label[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		default:
			continue
		}
		if n == len(buf) {
			return true // no real label is this long: decline
		}
		buf[n] = c
		n++
	}
	norm := string(buf[:n])
	if strings.Contains(norm, "utf8") {
		// UTF-8 and its labels unicode-1-1-utf-8, x-unicode20utf8, …
		return false
	}
	for _, part := range []string{
		"utf16", "utf32", "ucs2", "ucs4", "utf7", "unicode", // UTF-16/32 and their aliases (csunicode, unicodefffe)
		"10646",                               // ISO 10646's UCS forms (iso-10646-ucs-2, iso-10646-j-1)
		"2022",                                // ISO-2022-JP/-KR/-CN
		"hzgb", "replacement", "scsu", "bocu", // HZ, the replacement encoding, Unicode compressions
		"ebcdic",
	} {
		if strings.Contains(norm, part) {
			return true
		}
	}
	if norm == "hz" || norm == "utf1" {
		return true
	}
	return incompatibleCodePage(norm)
}

// incompatibleCodePage reports whether norm is an IBM or Windows code page
// name of an encoding that is not ASCII-compatible: UTF-16 and UTF-32
// (cp1200, cp12000, …), ISO-2022 and HZ (cp50220, cp52936), UTF-7 (cp65000)
// and the EBCDIC code pages (ibm037, cp1047, ibm01140, csibm273, cp20273,
// ccsid500, …). ibm437, ibm850, ibm866 and the other DOS code pages are
// ASCII-compatible and are not matched.
func incompatibleCodePage(norm string) bool {
	for _, prefix := range []string{"xibm", "csibm", "ibm", "cscp", "cp", "ccsid", "windows"} {
		if len(norm) <= len(prefix) || norm[:len(prefix)] != prefix {
			continue
		}
		n, err := strconv.Atoi(norm[len(prefix):])
		if err != nil {
			continue
		}
		switch n {
		case 1200, 1201, 12000, 12001, 50220, 50221, 50222, 50225, 50227, 50229, 52936, 65000:
			return true
		}
		if n >= 20000 && n < 30000 {
			// Windows numbers most EBCDIC pages 20000 + the IBM number
			// (20273, 20924) and IBM 1025 as 21025.
			n -= 20000
		}
		switch n {
		case 37, 38, 273, 274, 275, 277, 278, 280, 281, 284, 285, 290, 297, 420, 423, 424, 500,
			833, 838, 870, 871, 875, 880, 905, 918, 924, 930, 933, 935, 937, 939,
			1025, 1026, 1047, 1140, 1141, 1142, 1143, 1144, 1145, 1146, 1147,
			1148, 1149, 1390, 1399:
			return true
		}
	}
	return false
}

// utf16BOM reports whether a body begins with a UTF-16 byte order mark
// (FE FF or FF FE; FF FE 00 00, UTF-32LE's, too): browsers then decode it as
// UTF-16, whatever Content-Type says.
func utf16BOM(b []byte) bool {
	return len(b) >= 2 && (b[0] == 0xFE && b[1] == 0xFF || b[0] == 0xFF && b[1] == 0xFE)
}
