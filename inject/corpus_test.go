package inject

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatident/chatident/internal/testenv"
)

// The shared test corpus lives beside the repository (../shared in CI), so
// from this package's directory it is ../../shared/corpus.
const scanCorpusDir = "../../shared/corpus"

// scanCorpusPath returns a path inside the shared corpus, or skips t when the
// corpus is not there (fails it under CI=true, see internal/testenv).
func scanCorpusPath(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{scanCorpusDir}, elem...)...)
	testenv.Require(t, testenv.Exists(p), "the shared corpus", "not found at "+p+" (it sits beside the repository as shared/corpus)")
	return p
}

var scanPlacements = []Placement{AfterHeadOpen, BeforeHeadClose, BeforeBodyClose}

func scanPlacementName(p Placement) string {
	switch p {
	case AfterHeadOpen:
		return "AfterHeadOpen"
	case BeforeHeadClose:
		return "BeforeHeadClose"
	case BeforeBodyClose:
		return "BeforeBodyClose"
	}
	return "Placement(?)"
}

// TestCorpusPages runs every real page through the scanner and the oracle for
// every placement: whole, split at random offsets, one byte at a time, and for
// pages under 8 KiB split in two at every offset. Every way of feeding must
// give the oracle's insertion point, and a sentinel script inserted there
// must parse as one HTML script element, as the tree oracle checks (for
// AfterHeadOpen, the first in <head>); a page the scanner declines is
// logged.
func TestCorpusPages(t *testing.T) {
	dir := scanCorpusPath(t, "pages")
	files, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no pages in %s: %v", dir, err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	found := map[Placement]int{}
	declined := map[Placement][]string{} // pages the ambiguity guard declined
	for _, f := range files {
		doc, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".html")
		for _, p := range scanPlacements {
			want := scanOracle(doc, p).at
			if want >= 0 {
				found[p]++
			}
			check := func(how string, cuts []int) {
				t.Helper()
				at, hold := scanChunks(t, doc, p, cuts)
				if !scanAgrees(doc, p, at, hold, want) {
					t.Errorf("%s %s %s: at = %d (hold %d), oracle %d; near: %q",
						name, scanPlacementName(p), how, at, hold, want, scanAround(doc, at, want))
				}
			}
			check("whole", nil)
			at, _ := scanChunks(t, doc, p, nil)
			if at == scanDeclined {
				declined[p] = append(declined[p], name)
			}
			if at >= 0 {
				if msg := scanTreeCheck(doc, at); msg != "" {
					t.Errorf("%s %s: inserted at %d: %s", name, scanPlacementName(p), at, msg)
				}
				if p == AfterHeadOpen {
					if msg := scanSentinelFirstInHead(doc, at); msg != "" {
						t.Errorf("%s: inserted at %d: %s", name, at, msg)
					}
				}
			}
			check("bytewise", scanEveryByte(len(doc)))
			for range 20 {
				check("random", scanRandomCuts(rng, len(doc), 1+rng.IntN(64)))
			}
			if len(doc) < 8<<10 {
				for k := 0; k <= len(doc); k++ {
					check("split", []int{k})
				}
			}
		}
	}
	t.Logf("%d pages; insertion points found: AfterHeadOpen %d, BeforeHeadClose %d, BeforeBodyClose %d",
		len(files), found[AfterHeadOpen], found[BeforeHeadClose], found[BeforeBodyClose])
	for _, p := range scanPlacements {
		t.Logf("%s: declined as ambiguous on %d pages: %v", scanPlacementName(p), len(declined[p]), declined[p])
	}
}

func scanEveryByte(n int) []int {
	cuts := make([]int, n)
	for i := range cuts {
		cuts[i] = i
	}
	return cuts
}

func scanRandomCuts(rng *rand.Rand, n, k int) []int {
	if n == 0 {
		return nil
	}
	cuts := make([]int, k)
	for i := range cuts {
		cuts[i] = rng.IntN(n + 1)
	}
	return cuts
}

// scanAround shows the bytes near the two offsets, for failure messages.
func scanAround(doc []byte, a, b int64) string {
	lo := min(a, b)
	if lo < 0 {
		lo = max(a, b)
	}
	if lo < 0 {
		return ""
	}
	from, to := max(0, lo-40), min(int64(len(doc)), lo+60)
	return string(doc[from:to])
}
