package inject

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// This file checks what the scanner must never cost: allocations, wrong
// offsets on huge streams, and speed.

// scanTortureDoc exercises every state: tags split anywhere, comments,
// scripts in all their escapes, raw text, CDATA, character references.
func scanTortureDoc() []byte {
	return []byte("\xEF\xBB\xBF &#32;&Tab;<!DOCTYPE html><!-- c --!><?pi?><html lang=en>" +
		"<head data-a=\"</head>\" data-b='x' data-c=y><title>t</title x>" +
		"<script>if (a<1) {}</script><script><!--<script>--></head></script>--></script>" +
		"<style></head></STYLE\t><svg a/><math><![CDATA[ ]]]></math><svg><style></svg>" +
		"<textarea></head></textarea><xmp>x</xmp><iframe></iframe><noembed></noembed>" +
		"<noframes></noframes><noscript></noscript><![CDATA[</head>]]></headline >" +
		"</HEAD foo='>'><body \x00><p>&amp; \xFF\xFE</p></body></html>")
}

// TestScanAllocatesNothing feeds a document that visits every state, in
// chunks of every size from 1 to 16 bytes, and requires zero allocations.
func TestScanAllocatesNothing(t *testing.T) {
	doc := scanTortureDoc()
	for _, p := range scanPlacements {
		for size := 1; size <= 16; size++ {
			var s scanner
			allocs := testing.AllocsPerRun(10, func() {
				s.reset(p)
				for i := 0; i < len(doc); i += size {
					if at, _ := s.feed(doc[i:min(i+size, len(doc))]); at >= 0 {
						break
					}
				}
			})
			if allocs != 0 {
				t.Errorf("%s in %d-byte chunks: %v allocations per run", scanPlacementName(p), size, allocs)
			}
		}
	}
}

// TestScanTortureDoc pins where the torture document inserts, by hand.
func TestScanTortureDoc(t *testing.T) {
	doc := string(scanTortureDoc())
	want := map[Placement]int64{
		AfterHeadOpen:   int64(strings.Index(doc, "<title>")),
		BeforeHeadClose: int64(strings.Index(doc, "</HEAD foo")),
		BeforeBodyClose: int64(strings.Index(doc, "</body></html>")),
	}
	for _, p := range scanPlacements {
		if at, _ := scanString(t, doc, p); at != want[p] {
			t.Errorf("%s: at = %d, want %d", scanPlacementName(p), at, want[p])
		}
	}
}

// TestScanHugeStream feeds a gibibyte in 4 KiB chunks, cycling through
// chunks that leave the scanner in every kind of state (a comment, an
// attribute value, script in its escapes, CDATA, NULs, invalid UTF-8) and
// never complete a marker; the last 64 MiB are one </head or </body end tag
// whose attribute value never ends. No panic, no allocation, and the hold stays on
// that end tag's '<' to the end.
func TestScanHugeStream(t *testing.T) {
	if testing.Short() {
		t.Skip("feeds 1 GiB")
	}
	const total, tail, size = 1 << 30, 64 << 20, 4 << 10
	fill := func(prefix, body string) []byte {
		b := []byte(prefix)
		for len(b) < size {
			b = append(b, body...)
		}
		return b[:size]
	}
	chunks := [][]byte{
		fill("<p>", "text text <b>bold</b> &amp; "),
		fill("<!-- ", "- -- --! <head> </body> "),
		fill(" -->", "\x00\xFF\xFE\xC3\x28 "),
		fill("<a title=\"", "</body> > ' = "),
		fill("\">", "x"),
		fill("<script>", "if (a < b && c > d) { s = '</bod' + 'y>'; } "),
		fill("<!--<script>", "</bod</body>--"),
		fill("</script></script><svg><![CDATA[", "]] ]> </body> "),
		fill("]]></svg>", " "),
	}
	attr := fill("", "a long attribute value on a held end tag > ' ")
	for _, p := range scanPlacements {
		heldTag := fill("</"+scanMarkerName(p)+" a=\"", "x")
		var s scanner
		var at, hold int64
		allocs := testing.AllocsPerRun(1, func() {
			s.reset(p)
			for fed := int64(0); fed < total; fed += size {
				// Whole cycles, which end in the data state; then text
				// up to the held end tag; then its attribute value.
				c := attr
				switch n, cycles := fed/size, int64((total-tail)/size/len(chunks)); {
				case n < cycles*int64(len(chunks)):
					c = chunks[n%int64(len(chunks))]
				case fed < total-tail:
					c = chunks[len(chunks)-1]
				case fed == total-tail:
					c = heldTag
				}
				if at, hold = s.feed(c); at >= 0 {
					return
				}
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations", scanPlacementName(p), allocs)
		}
		if p == AfterHeadOpen {
			if at != 0 { // the "<p>" at offset 0 opens the head
				t.Errorf("AfterHeadOpen: at = %d, want 0", at)
			}
			continue
		}
		if at >= 0 || hold != total-tail {
			t.Errorf("%s: at, hold = %d, %d; want -1, %d", scanPlacementName(p), at, hold, total-tail)
		}
	}
}

// TestScanOffsetsBeyond4GiB checks that offsets do not wrap: a stream that
// has already passed 5 GiB (set directly, rather than fed) still reports
// exact offsets.
func TestScanOffsetsBeyond4GiB(t *testing.T) {
	const past = 5 << 30
	for _, p := range []Placement{BeforeHeadClose, BeforeBodyClose} {
		var s scanner
		s.reset(p)
		s.feed([]byte("x"))
		s.fed = past
		if at, hold := s.feed([]byte("ab<")); at != -1 || hold != past+2 {
			t.Errorf("%s: at, hold = %d, %d; want -1, %d", scanPlacementName(p), at, hold, int64(past+2))
		}
		if at, _ := s.feed([]byte("/" + scanMarkerName(p) + ">")); at != past+2 {
			t.Errorf("%s: at = %d, want %d", scanPlacementName(p), at, int64(past+2))
		}
	}
}

// BenchmarkScan measures the scanner on the largest page of the corpus,
// Google's home page (344 KB, half inline script, 100 KB inline style), for
// BeforeBodyClose, which scans it all. "copy" is a plain copy of the same
// bytes, the cost of passing them through.
func BenchmarkScan(b *testing.B) {
	doc, err := os.ReadFile(scanCorpusPath(b, "pages", "gumbo__google.html"))
	if err != nil {
		b.Fatal(err)
	}
	if at, _ := scanChunks(b, doc, BeforeBodyClose, nil); at < int64(len(doc))*9/10 {
		b.Fatalf("the </body> is at %d of %d bytes; the benchmark wants it near the end", at, len(doc))
	}
	for _, size := range []int{len(doc), 32 << 10, 4 << 10} {
		name := "chunk=" + strconv.Itoa(size>>10) + "KiB"
		if size == len(doc) {
			name = "whole"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			var s scanner
			for b.Loop() {
				s.reset(BeforeBodyClose)
				for i := 0; i < len(doc); i += size {
					if at, _ := s.feed(doc[i:min(i+size, len(doc))]); at >= 0 {
						break
					}
				}
			}
		})
	}
	b.Run("copy", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		dst := make([]byte, len(doc))
		for b.Loop() {
			copy(dst, doc)
		}
	})
}

// BenchmarkScanTagDense is the scanner alone on generated tag-dense pages
// (genPage: a tag every ~40 bytes, attributes quoted), for BeforeBodyClose,
// which scans them whole, fed in 4 KiB writes as BenchmarkWriter does.
func BenchmarkScanTagDense(b *testing.B) {
	for _, size := range []int{64 << 10, 1 << 20} {
		doc := []byte(genPage(size))
		b.Run(strconv.Itoa(size>>10)+"KiB", func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			var s scanner
			for b.Loop() {
				s.reset(BeforeBodyClose)
				for i := 0; i < len(doc); i += 4 << 10 {
					if at, _ := s.feed(doc[i:min(i+4<<10, len(doc))]); at >= 0 {
						break
					}
				}
			}
		})
	}
}

// BenchmarkScanCorpus is the scanner alone on every real page of the shared
// corpus (55 pages, 9.8 MB), for BeforeBodyClose, in 4 KiB writes.
func BenchmarkScanCorpus(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(scanCorpusPath(b, "pages"), "*.html"))
	var docs [][]byte
	var total int64
	for _, f := range files {
		doc, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		docs, total = append(docs, doc), total+int64(len(doc))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	var s scanner
	for b.Loop() {
		for _, doc := range docs {
			s.reset(BeforeBodyClose)
			for i := 0; i < len(doc); i += 4 << 10 {
				if at, _ := s.feed(doc[i:min(i+4<<10, len(doc))]); at >= 0 {
					break
				}
			}
		}
	}
}
