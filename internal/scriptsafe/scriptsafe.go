// Package scriptsafe holds the one check that decides whether bytes may sit
// between <script> and </script>: the rewriter applies it to every inserted
// script, the middleware to vendor code once, at start-up.
package scriptsafe

import "bytes"

// BreaksOut reports whether b contains "</script" or "<!--" in any case:
// either could end its element early (or, through the HTML tokenizer's
// script data escape states, keep it from ending), turning the rest into
// markup. Only the bytes at each '<' are examined, found with
// bytes.IndexByte, so a script with few '<' costs a memchr.
func BreaksOut(b []byte) bool {
	for {
		i := bytes.IndexByte(b, '<')
		if i < 0 {
			return false
		}
		b = b[i:]
		if len(b) >= 4 && b[1] == '!' && b[2] == '-' && b[3] == '-' {
			return true
		}
		if len(b) >= 8 && b[1] == '/' && equalFoldLower(b[2:8], "script") {
			return true
		}
		b = b[1:]
	}
}

// ASCII reports whether b is 7-bit ASCII, so that it reads the same in a
// page of any ASCII-compatible charset.
func ASCII(b []byte) bool {
	// Eight bytes at a time: a set high bit in any of them shows in the OR.
	for len(b) >= 8 {
		x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if x&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// equalFoldLower compares b to lower, which must be lower-case ASCII,
// ignoring ASCII case in b.
func equalFoldLower(b []byte, lower string) bool {
	for i := 0; i < len(lower); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
