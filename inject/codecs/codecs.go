// Package codecs provides the HTTP content codings gzip, deflate, br and
// zstd as inject.Codec values, so that chatident can insert its script into
// pages that the application, or an upstream behind a reverse proxy, has
// already compressed.
//
// Decoders and encoders are pooled per codec value: make the codecs once
// (All, at start-up) and share them. They are built on
// github.com/klauspost/compress (gzip, zlib, flate, zstd) and
// github.com/andybalholm/brotli.
//
// # Levels
//
// The page is encoded again as it streams, at the level the usual Go
// middleware uses for dynamic pages, so that wrapping an application that
// compresses costs about what its own compression does:
//
//   - gzip and deflate: level 5, the default of
//     github.com/klauspost/compress/gzhttp;
//   - br: quality 5 with a 256 KiB window: on HTML pages about as fast as
//     quality 4 (the default of brotli.HTTPCompressor) and a fifth smaller,
//     and the small window bounds the encoder's memory (larger windows made
//     it allocate several times more per page);
//   - zstd: SpeedFastest with a 128 KiB window and one goroutine, as gzhttp
//     encodes zstd.
//
// # Limits
//
// A zstd frame whose window exceeds 8 MiB is refused (RFC 9659 caps it there
// for HTTP): such a page passes through as the application made it
// (inject.Corrupt). A brotli window is at most 16 MiB (RFC 7932). "deflate" is the zlib
// format (RFC 9110); a raw DEFLATE body, which some servers send and
// browsers accept, is decoded too and encoded again as zlib.
package codecs

import (
	"bufio"
	"io"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/chatident/chatident/inject"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

// Levels and windows; see the package documentation.
const (
	gzipLevel     = 5
	brotliQuality = 5
	brotliLGWin   = 18 // 256 KiB
	zstdWindow    = 128 << 10
	zstdMaxWindow = 8 << 20 // RFC 9659, section 3
	readBufSize   = 4 << 10 // buffer between the coded stream and gzip/flate
)

// All returns a new gzip, deflate, br and zstd codec, for inject.Codecs.
func All() []inject.Codec {
	return []inject.Codec{Gzip(), Deflate(), Brotli(), Zstd()}
}

// Gzip returns a codec for the gzip coding (RFC 1952). Concatenated gzip
// members decode as one stream, as browsers read them.
func Gzip() inject.Codec {
	return &codec{
		token: "gzip",
		newReader: func() resetReader {
			return &gzipReader{}
		},
		newWriter: func(w io.Writer) resetWriter {
			zw, _ := gzip.NewWriterLevel(w, gzipLevel) // the level is valid
			return zw
		},
	}
}

// Deflate returns a codec for the deflate coding: zlib (RFC 1950) around
// DEFLATE (RFC 1951). A body in raw DEFLATE is decoded too.
func Deflate() inject.Codec {
	return &codec{
		token: "deflate",
		newReader: func() resetReader {
			return &deflateReader{}
		},
		newWriter: func(w io.Writer) resetWriter {
			zw, _ := zlib.NewWriterLevel(w, gzipLevel) // the level is valid
			return zw
		},
	}
}

// Brotli returns a codec for the br coding (RFC 7932).
func Brotli() inject.Codec {
	return &codec{
		token: "br",
		newReader: func() resetReader {
			return &brotliReader{r: brotli.NewReader(nil)}
		},
		newWriter: func(w io.Writer) resetWriter {
			return brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: brotliQuality, LGWin: brotliLGWin})
		},
	}
}

// Zstd returns a codec for the zstd coding (RFC 8878, RFC 9659).
func Zstd() inject.Codec {
	return &codec{
		token: "zstd",
		newReader: func() resetReader {
			// Options that are all valid; one goroutine-free stream decoder.
			d, _ := zstd.NewReader(nil,
				zstd.WithDecoderConcurrency(1),
				zstd.WithDecoderLowmem(true),
				zstd.WithDecoderMaxWindow(zstdMaxWindow))
			return &zstdReader{d: d}
		},
		newWriter: func(w io.Writer) resetWriter {
			e, _ := zstd.NewWriter(w,
				zstd.WithEncoderLevel(zstd.SpeedFastest),
				zstd.WithEncoderConcurrency(1),
				zstd.WithLowerEncoderMem(true),
				zstd.WithWindowSize(zstdWindow))
			return e
		},
	}
}

// resetReader is a pooled decoder: reset starts it on a new stream.
type resetReader interface {
	reset(src io.Reader) error
	io.Reader
	release() // drops the reference to the source
}

// resetWriter is a pooled encoder, as the libraries' writers are.
type resetWriter interface {
	io.Writer
	Reset(dst io.Writer)
	Flush() error
	Close() error
}

// codec is one coding with its pools of decoders and encoders.
type codec struct {
	token     string
	newReader func() resetReader
	newWriter func(io.Writer) resetWriter
	readers   sync.Pool // of resetReader
	writers   sync.Pool // of resetWriter
}

// Encoding returns the content-coding token.
func (c *codec) Encoding() string { return c.token }

// NewReader returns a pooled decoder started on src.
func (c *codec) NewReader(src io.Reader) (io.ReadCloser, error) {
	r, ok := c.readers.Get().(resetReader)
	if !ok {
		r = c.newReader()
	}
	if err := r.reset(src); err != nil {
		r.release()
		c.readers.Put(r)
		return nil, err
	}
	return &pooledReader{r: r, c: c}, nil
}

// NewWriter returns a pooled encoder writing to dst.
func (c *codec) NewWriter(dst io.Writer) inject.Encoder {
	w, ok := c.writers.Get().(resetWriter)
	if ok {
		w.Reset(dst)
	} else {
		w = c.newWriter(dst)
	}
	return &pooledWriter{w: w, c: c}
}

// pooledReader returns its decoder to the pool on Close.
type pooledReader struct {
	r resetReader
	c *codec
}

func (p *pooledReader) Read(b []byte) (int, error) {
	if p.r == nil {
		return 0, io.ErrClosedPipe
	}
	return p.r.Read(b)
}

func (p *pooledReader) Close() error {
	if p.r != nil {
		p.r.release()
		p.c.readers.Put(p.r)
		p.r = nil
	}
	return nil
}

// pooledWriter returns its encoder to the pool on Close.
type pooledWriter struct {
	w resetWriter
	c *codec
}

func (p *pooledWriter) Write(b []byte) (int, error) {
	if p.w == nil {
		return 0, io.ErrClosedPipe
	}
	return p.w.Write(b)
}

func (p *pooledWriter) Flush() error {
	if p.w == nil {
		return io.ErrClosedPipe
	}
	return p.w.Flush()
}

func (p *pooledWriter) Close() error {
	if p.w == nil {
		return nil
	}
	err := p.w.Close()
	p.w.Reset(io.Discard) // drop the reference to the response
	p.c.writers.Put(p.w)
	p.w = nil
	return err
}

// gzipReader decodes gzip through a buffered reader, which the gzip and
// flate decoders read byte by byte without another copy.
type gzipReader struct {
	br *bufio.Reader
	zr *gzip.Reader
}

func (g *gzipReader) reset(src io.Reader) error {
	if g.br == nil {
		g.br = bufio.NewReaderSize(src, readBufSize)
	} else {
		g.br.Reset(src)
	}
	if g.zr == nil {
		zr, err := gzip.NewReader(g.br)
		if err != nil {
			return err
		}
		g.zr = zr
		return nil
	}
	return g.zr.Reset(g.br)
}

func (g *gzipReader) Read(p []byte) (int, error) { return g.zr.Read(p) }

func (g *gzipReader) release() { g.br.Reset(nil) }

// deflateReader decodes zlib, or raw DEFLATE when the first two bytes are
// not a zlib header (RFC 1950, section 2.2: CM 8, CINFO at most 7, and
// the header a multiple of 31), as browsers do.
type deflateReader struct {
	br  *bufio.Reader
	zr  io.ReadCloser // zlib, made on first use
	fr  io.ReadCloser // raw DEFLATE, made on first use
	cur io.Reader
}

func (d *deflateReader) reset(src io.Reader) error {
	if d.br == nil {
		d.br = bufio.NewReaderSize(src, readBufSize)
	} else {
		d.br.Reset(src)
	}
	h, err := d.br.Peek(2)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	if h[0]&0x0f == 8 && h[0]>>4 <= 7 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
		if d.zr == nil {
			zr, err := zlib.NewReader(d.br)
			if err != nil {
				return err
			}
			d.zr = zr
		} else if err := d.zr.(zlib.Resetter).Reset(d.br, nil); err != nil {
			return err
		}
		d.cur = d.zr
		return nil
	}
	if d.fr == nil {
		d.fr = flate.NewReader(d.br)
	} else if err := d.fr.(flate.Resetter).Reset(d.br, nil); err != nil {
		return err
	}
	d.cur = d.fr
	return nil
}

func (d *deflateReader) Read(p []byte) (int, error) { return d.cur.Read(p) }

func (d *deflateReader) release() {
	d.br.Reset(nil)
	d.cur = nil
}

// brotliReader decodes br; the brotli reader buffers its input itself.
type brotliReader struct{ r *brotli.Reader }

func (b *brotliReader) reset(src io.Reader) error { return b.r.Reset(src) }

// Read reads decoded bytes. The brotli reader reports "excessive input"
// when the stream ends while its last bytes came in through its internal
// carry-over buffer, which happens when the coded stream arrives a few
// bytes at a time, though every byte was used: the stream is complete, so
// this is its end. Coded bytes after the end that arrived in the same read
// are dropped with it; those that come later make the stream corrupt.
func (b *brotliReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err.Error() == "brotli: excessive input" {
		err = io.EOF
	}
	return n, err
}

func (b *brotliReader) release() { _ = b.r.Reset(nil) }

// zstdReader decodes zstd with a synchronous stream decoder.
type zstdReader struct{ d *zstd.Decoder }

func (z *zstdReader) reset(src io.Reader) error { return z.d.Reset(src) }

func (z *zstdReader) Read(p []byte) (int, error) { return z.d.Read(p) }

func (z *zstdReader) release() { _ = z.d.Reset(nil) }
