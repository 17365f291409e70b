package inject

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/chatident/chatident/internal/testenv"
)

// corpusPages returns up to n of the shared corpus's real pages no larger
// than maxSize, smallest first, or none when the corpus is absent (under
// CI=true its absence fails tb, see internal/testenv).
func corpusPages(tb testing.TB, n, maxSize int) [][]byte {
	dir := filepath.Join("..", "..", "shared", "corpus", "pages")
	entries, err := os.ReadDir(dir)
	if !testenv.Want(tb, err == nil, "the shared corpus", fmt.Sprintf("its pages sit beside the repository in shared/corpus/pages (%v)", err)) {
		return nil
	}
	type page struct {
		name string
		size int64
	}
	var pages []page
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Size() <= int64(maxSize) {
			pages = append(pages, page{e.Name(), info.Size()})
		}
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].size < pages[j].size })
	var out [][]byte
	for _, p := range pages[:min(n, len(pages))] {
		b, err := os.ReadFile(filepath.Join(dir, p.name))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// serveBytes writes page in pieces (cut by cuts) through Handler and
// returns the body and outcome.
func serveBytes(page []byte, cuts []int, typed bool, p Placement, maxHeld int) ([]byte, Outcome) {
	var got Outcome
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if typed {
			htmlType(w)
		}
		prev := 0
		for _, c := range append(cuts, len(page)) {
			w.Write(page[prev:c])
			prev = c
		}
	})
	tp := newTap()
	Handler(app, constScript(testScript), At(p), MaxHeld(maxHeld), Observe(func(_ *http.Request, o Outcome) { got = o })).
		ServeHTTP(tp, httptest.NewRequest("GET", "/", nil))
	return tp.body.Bytes(), got
}

// isOneInsertion reports whether out is page with el inserted once.
func isOneInsertion(page, out, el []byte) bool {
	if len(out) != len(page)+len(el) {
		return false
	}
	pre := 0
	for pre < len(page) && out[pre] == page[pre] {
		pre++
	}
	suf := 0
	for suf < len(page) && out[len(out)-1-suf] == page[len(page)-1-suf] {
		suf++
	}
	for i := max(0, len(page)-suf); i <= pre; i++ {
		if bytes.Equal(out[i:i+len(el)], el) && bytes.Equal(out[i+len(el):], page[i:]) {
			return true
		}
	}
	return false
}

// FuzzWriterChunking: any page cut anywhere gives the output of one Write,
// and that output is the page with exactly one insertion, or the page.
func FuzzWriterChunking(f *testing.F) {
	f.Add([]byte("<html><head><title>t</title></head><body>x</body></html>"), uint64(1), uint8(3), uint8(0))
	f.Add([]byte("<HTML><HEAD></HEAD><BODY></BODY></HTML>"), uint64(2), uint8(1), uint8(1))
	f.Add([]byte("<!-- </head> --><head></head><body></body>"), uint64(3), uint8(5), uint8(2))
	f.Add([]byte("\x00\xff<head>\xfe</body>"), uint64(4), uint8(2), uint8(0))
	f.Add([]byte(""), uint64(5), uint8(1), uint8(1))
	for i, p := range corpusPages(f, 5, 16<<10) {
		f.Add(p, uint64(100+i), uint8(200), uint8(i))
	}
	el := []byte(element)
	f.Fuzz(func(t *testing.T, page []byte, seed uint64, piece, mode uint8) {
		p := placements[int(mode)%3]
		typed := mode&4 == 0
		one, oneOut := serveBytes(page, nil, typed, p, DefaultMaxHeld)
		if !bytes.Equal(one, page) && !isOneInsertion(page, one, el) {
			t.Fatalf("one write: output is neither the page nor the page with one insertion (%s)", oneOut.Reason)
		}
		if (oneOut.Reason == Injected) != !bytes.Equal(one, page) {
			t.Fatalf("reason %s but output changed=%v", oneOut.Reason, !bytes.Equal(one, page))
		}
		cuts := randomCuts(rand.New(rand.NewPCG(seed, uint64(piece))), len(page), int(piece)+1)
		// With the default MaxHeld, and with a small one that makes the
		// response stream: giving up is the only allowed difference from
		// the one-write output, and it must leave the page untouched.
		for _, maxHeld := range []int{DefaultMaxHeld, 64} {
			got, out := serveBytes(page, cuts, typed, p, maxHeld)
			if out.Reason == GaveUp || oneOut.Reason == GaveUp {
				if !bytes.Equal(got, page) && !isOneInsertion(page, got, el) {
					t.Fatalf("MaxHeld %d: after giving up, output is neither the page nor one insertion", maxHeld)
				}
				if out.Reason == GaveUp && !bytes.Equal(got, page) {
					t.Fatalf("MaxHeld %d: gave up but changed the page", maxHeld)
				}
				continue
			}
			if !bytes.Equal(got, one) {
				t.Fatalf("%v typed=%v MaxHeld %d, %d pieces: output differs from the one-write output (%s vs %s)",
					p, typed, maxHeld, len(cuts)+1, out.Reason, oneOut.Reason)
			}
			if out.Reason != oneOut.Reason {
				t.Fatalf("MaxHeld %d: reason %s, one write %s", maxHeld, out.Reason, oneOut.Reason)
			}
		}
	})
}
