package inject

import "bytes"

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
// PLACEHOLDER: a naive case-insensitive substring search that ignores HTML
// context; the real tokenizer-correct state machine replaces it.
type scanner struct {
	placement Placement
	fed       int64
	tail      []byte // last few bytes, to match across chunk boundaries
	buf       [16]byte
}

func (s *scanner) reset(p Placement) {
	*s = scanner{placement: p}
	s.tail = s.buf[:0]
}

func (s *scanner) feed(chunk []byte) (at, hold int64) {
	var marker []byte
	switch s.placement {
	case BeforeHeadClose:
		marker = []byte("</head>")
	case BeforeBodyClose:
		marker = []byte("</body>")
	default:
		marker = []byte("<head>")
	}
	window := append(append([]byte{}, s.tail...), chunk...)
	base := s.fed - int64(len(s.tail))
	s.fed += int64(len(chunk))
	if i := bytes.Index(bytes.ToLower(window), marker); i >= 0 {
		if s.placement == AfterHeadOpen {
			return base + int64(i+len(marker)), s.fed
		}
		return base + int64(i), base + int64(i)
	}
	keep := len(marker) - 1
	if len(window) < keep {
		keep = len(window)
	}
	s.tail = append(s.buf[:0], window[len(window)-keep:]...)
	return -1, s.fed - int64(keep)
}
