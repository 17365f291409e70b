package faultnet

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// A streamed page: StreamHead, then a chunk of paragraphs over and over,
// with no end, written in chunks large enough to fill socket buffers in a
// few writes.
const (
	StreamHead = "<!DOCTYPE html><html><head><title>stream</title></head><body>\n"
	paragraph  = "<p>a streamed paragraph, 0123456789</p>\n"
)

// StreamChunk returns one chunk of the streamed page, 16 000 bytes.
func StreamChunk() []byte {
	return bytes.Repeat([]byte(paragraph), 400)
}

// WriteStream writes the streamed page to w as text/html until a write
// fails or limit bytes have gone, and returns the failure.
func WriteStream(w http.ResponseWriter, limit int) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if _, err := io.WriteString(w, StreamHead); err != nil {
		return err
	}
	chunk := StreamChunk()
	for n := len(StreamHead); n < limit; n += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return err
		}
	}
	return nil
}

// CheckBodyPrefix reads body until it fails or at least limit bytes have
// come, and fails t unless they are the start of want. It returns how many
// bytes came and the error that ended the body, if any.
func CheckBodyPrefix(t testing.TB, body io.Reader, want []byte, limit int) (n int, err error) {
	t.Helper()
	buf := make([]byte, 32<<10)
	for n < limit {
		m, err := body.Read(buf)
		if n+m > len(want) {
			t.Fatalf("received %d body bytes, more than the test expects to see", n+m)
		}
		if got, want := buf[:m], want[n:n+m]; !bytes.Equal(got, want) {
			i := 0
			for got[i] == want[i] {
				i++
			}
			t.Errorf("received body differs from the page at byte %d: %q", n+i, got[i:min(i+40, m)])
			return n + m, nil
		}
		n += m
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// CheckCutOff reads body as CheckBodyPrefix does, for the whole of want,
// and fails t if it ends cleanly: a response a fault interrupted must end in
// a read error, never look complete. It returns how many bytes came.
func CheckCutOff(t testing.TB, body io.Reader, want []byte) int {
	t.Helper()
	n, err := CheckBodyPrefix(t, body, want, len(want))
	if err == nil {
		t.Errorf("body of %d bytes ended cleanly, as if complete", n)
	}
	return n
}
