package codecs

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

var text = strings.Repeat("<p>chatident re-encodes what it decodes, in the same coding.</p>\n", 400)

func TestEachCodecRoundTripsAndReuses(t *testing.T) {
	for _, c := range All() {
		for round := range 3 { // the second and third take pooled state
			var coded bytes.Buffer
			w := c.NewWriter(&coded)
			io.WriteString(w, text[:1000])
			if err := w.Flush(); err != nil {
				t.Fatalf("%s: Flush: %v", c.Encoding(), err)
			}
			flushed := coded.Len()
			io.WriteString(w, text[1000:])
			if err := w.Close(); err != nil {
				t.Fatalf("%s: Close: %v", c.Encoding(), err)
			}
			if flushed == 0 {
				t.Errorf("%s: Flush wrote nothing", c.Encoding())
			}
			r, err := c.NewReader(iotest.OneByteReader(bytes.NewReader(coded.Bytes())))
			if err != nil {
				t.Fatalf("%s round %d: NewReader: %v", c.Encoding(), round, err)
			}
			got, err := io.ReadAll(r)
			r.Close()
			if err != nil || string(got) != text {
				t.Fatalf("%s round %d: %d bytes, %v", c.Encoding(), round, len(got), err)
			}
		}
	}
}

// TestStandardDecodersReadTheEncoders checks the re-encoded output with
// decoders other than the codecs' own.
func TestStandardDecodersReadTheEncoders(t *testing.T) {
	for _, c := range All() {
		var coded bytes.Buffer
		w := c.NewWriter(&coded)
		io.WriteString(w, text)
		w.Close()
		var r io.Reader
		var err error
		switch c.Encoding() {
		case "gzip":
			r, err = gzip.NewReader(&coded)
		case "deflate":
			r, err = zlib.NewReader(&coded) // RFC 9110: deflate is zlib
		case "br":
			r = brotli.NewReader(&coded)
		case "zstd":
			var d *zstd.Decoder
			d, err = zstd.NewReader(&coded)
			if d != nil {
				defer d.Close()
			}
			r = d
		}
		if err != nil {
			t.Fatalf("%s: %v", c.Encoding(), err)
		}
		got, err := io.ReadAll(r)
		if err != nil || string(got) != text {
			t.Errorf("%s: %d bytes, %v", c.Encoding(), len(got), err)
		}
	}
}

func TestDeflateAcceptsRawDEFLATE(t *testing.T) {
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, 6)
	io.WriteString(fw, text)
	fw.Close()
	r, err := Deflate().NewReader(bytes.NewReader(raw.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || string(got) != text {
		t.Errorf("raw DEFLATE: %d bytes, %v", len(got), err)
	}
}

func TestZstdRefusesWindowsOverRFC9659(t *testing.T) {
	// A frame by hand (RFC 8878, section 3.1.1): magic number, a
	// descriptor with only a Window_Descriptor, then one last raw block of
	// one byte. The window is 2^(10+exponent): exponent 13 is 8 MiB, 14 is
	// 16 MiB.
	frame := func(exponent byte) []byte {
		return []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, exponent << 3, 0x09, 0x00, 0x00, 'x'}
	}
	for exponent, ok := range map[byte]bool{13: true, 14: false} {
		r, err := Zstd().NewReader(bytes.NewReader(frame(exponent)))
		var got []byte
		if err == nil {
			got, err = io.ReadAll(r)
		}
		if ok && (err != nil || string(got) != "x") {
			t.Errorf("window 2^%d: %q, %v", 10+exponent, got, err)
		}
		if !ok && err == nil {
			t.Errorf("window 2^%d was accepted", 10+exponent)
		}
	}
}

func TestCorruptInputFailsWithoutPanic(t *testing.T) {
	for _, c := range All() {
		for _, in := range [][]byte{{0}, []byte("not coded at all, just text"), bytes.Repeat([]byte{0xff}, 300)} {
			r, err := c.NewReader(bytes.NewReader(in))
			if err != nil {
				continue
			}
			if _, err := io.ReadAll(r); err == nil {
				t.Errorf("%s: %q decoded without error", c.Encoding(), in)
			}
			r.Close()
		}
	}
}
