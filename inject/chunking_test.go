package inject

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/chatident/chatident/internal/testenv"
)

// These tests check that the output does not depend on how the body is cut
// into Write calls. They use plain pages with one clear marker, so the
// expected output is known without any HTML subtleties: the scanner's own
// tests cover those.

// expected returns page with the element inserted at the placement.
func expected(page string, p Placement) string {
	switch p {
	case BeforeHeadClose:
		return strings.Replace(page, "</head>", element+"</head>", 1)
	case BeforeBodyClose:
		return strings.Replace(page, "</body>", element+"</body>", 1)
	}
	return strings.Replace(page, "<head>", "<head>"+element, 1)
}

var placements = []Placement{AfterHeadOpen, BeforeHeadClose, BeforeBodyClose}

// serveSplit writes page cut at the given offsets (ascending), flushing
// after the pieces listed in flushes, and returns the body sent.
func serveSplit(page string, cuts []int, flushes map[int]bool, typed bool, opts ...Option) (string, Outcome) {
	var got Outcome
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if typed {
			htmlType(w)
		}
		prev := 0
		for i, c := range append(cuts, len(page)) {
			io.WriteString(w, page[prev:c])
			prev = c
			if flushes[i] {
				w.(http.Flusher).Flush()
			}
		}
	})
	tp := newTap()
	Handler(app, constScript(testScript), append(opts, Observe(func(_ *http.Request, o Outcome) { got = o }))...).
		ServeHTTP(tp, httptest.NewRequest("GET", "/", nil))
	return tp.body.String(), got
}

func TestEverySplitPointSmallPage(t *testing.T) {
	page := "<!DOCTYPE html><html><head><title>T</title></head><body><p>Hi</p></body></html>"
	for _, p := range placements {
		want := expected(page, p)
		for _, maxHeld := range []int{DefaultMaxHeld, 32} {
			for i := 0; i <= len(page); i++ {
				for j := i; j <= len(page); j++ {
					got, out := serveSplit(page, []int{i, j}, nil, true, At(p), MaxHeld(maxHeld))
					if got != want || out.Reason != Injected {
						t.Fatalf("%v MaxHeld %d cuts %d,%d: %s\n%q\nwant\n%q", p, maxHeld, i, j, out.Reason, got, want)
					}
				}
			}
		}
	}
}

func TestEverySplitPointWithFlushes(t *testing.T) {
	page := "<html><head><title>T</title></head><body><p>Hi</p></body></html>"
	for _, p := range placements {
		want := expected(page, p)
		for i := 0; i <= len(page); i++ {
			got, out := serveSplit(page, []int{i}, map[int]bool{0: true}, true, At(p))
			if got != want || out.Reason != Injected {
				t.Fatalf("%v flush after %d bytes: %s %q", p, i, out.Reason, got)
			}
		}
	}
}

func TestEverySplitPointSniffed(t *testing.T) {
	// No Content-Type: the first 512 bytes are sniffed; cuts on both sides
	// of that boundary must not change the result.
	page := "<!DOCTYPE html><html><head><title>T</title></head><body>" +
		strings.Repeat("<p>Some text.</p>", 40) + "</body></html>"
	for _, p := range placements {
		want := expected(page, p)
		for i := 0; i <= len(page); i++ {
			got, out := serveSplit(page, []int{i}, nil, false, At(p))
			if got != want || out.Reason != Injected {
				t.Fatalf("%v cut %d: %s", p, i, out.Reason)
			}
		}
	}
}

func TestNoMarkerEverySplitPoint(t *testing.T) {
	page := "<p>no head, no body, just a fragment of text</p>"
	for _, p := range []Placement{BeforeHeadClose, BeforeBodyClose} {
		for i := 0; i <= len(page); i++ {
			for _, maxHeld := range []int{DefaultMaxHeld, 8} {
				got, out := serveSplit(page, []int{i}, nil, true, At(p), MaxHeld(maxHeld))
				if got != page || out.Reason != NoMarker {
					t.Fatalf("%v cut %d MaxHeld %d: %s %q", p, i, maxHeld, out.Reason, got)
				}
			}
		}
	}
}

// genPage builds a realistic page of about size bytes: a head with meta,
// link and style elements, and a body of paragraphs.
func genPage(size int) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<title>Quarterly report — Example Corp</title>\n")
	b.WriteString("<link rel=\"stylesheet\" href=\"/static/site.css?v=3\">\n")
	b.WriteString("<link rel=\"icon\" href=\"/favicon.ico\">\n")
	b.WriteString("<style>\nbody{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:48rem}\n")
	b.WriteString("p{margin:0 0 1rem} .note{color:#555}\n</style>\n</head>\n<body>\n")
	b.WriteString("<header><nav><a href=\"/\">Home</a> <a href=\"/reports\">Reports</a></nav></header>\n<main>\n")
	for i := 0; b.Len() < size-200; i++ {
		fmt.Fprintf(&b, "<p class=\"note\" id=\"p%d\">Paragraph %d. Lorem ipsum dolor sit amet, consectetur "+
			"adipiscing elit, sed do eiusmod tempor <em>incididunt</em> ut labore et dolore magna aliqua. "+
			"<a href=\"/item/%d\">Read more</a></p>\n", i, i, i)
	}
	b.WriteString("</main>\n<footer>&copy; Example Corp</footer>\n</body>\n</html>\n")
	return b.String()
}

// randomCuts returns ascending cut offsets into n bytes, with pieces of
// 1..maxPiece bytes.
func randomCuts(r *rand.Rand, n, maxPiece int) []int {
	var cuts []int
	for c := r.IntN(maxPiece) + 1; c < n; c += r.IntN(maxPiece) + 1 {
		cuts = append(cuts, c)
	}
	return cuts
}

func TestRandomSplitsLargerPages(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{3 << 10, 100 << 10} {
		page := genPage(size)
		for _, p := range placements {
			want := expected(page, p)
			for round := 0; round < 30; round++ {
				maxPiece := []int{3, 64, 1500, 40000}[round%4]
				cuts := randomCuts(r, len(page), maxPiece)
				flushes := map[int]bool{}
				if round%3 == 0 {
					for k := 0; k < 5 && len(cuts) > 0; k++ {
						flushes[r.IntN(len(cuts))] = true
					}
				}
				maxHeld := []int{DefaultMaxHeld, 100, 1 << 20}[round%3]
				got, out := serveSplit(page, cuts, flushes, round%2 == 0, At(p), MaxHeld(maxHeld))
				if got != want || out.Reason != Injected {
					t.Fatalf("size %d %v round %d (pieces ≤ %d, MaxHeld %d): %s, body differs",
						size, p, round, maxPiece, maxHeld, out.Reason)
				}
			}
		}
	}
}

// jerkyReader returns its data in reads of random sizes.
type jerkyReader struct {
	s string
	r *rand.Rand
}

func (j *jerkyReader) Read(p []byte) (int, error) {
	if j.s == "" {
		return 0, io.EOF
	}
	n := min(len(p), len(j.s), j.r.IntN(700)+1)
	copy(p, j.s[:n])
	j.s = j.s[n:]
	return n, nil
}

func TestRandomReadsThroughReadFrom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	page := genPage(20 << 10)
	for _, p := range placements {
		for round := 0; round < 10; round++ {
			app := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				if round%2 == 0 {
					htmlType(w)
				}
				w.(io.ReaderFrom).ReadFrom(&jerkyReader{s: page, r: r})
			})
			tr := &tapRF{tap: newTap()}
			Handler(app, constScript(testScript), At(p), MaxHeld(256)).ServeHTTP(tr, httptest.NewRequest("GET", "/", nil))
			if tr.body.String() != expected(page, p) {
				t.Fatalf("%v round %d: body differs", p, round)
			}
		}
	}
}

// TestCutsListIsSorted guards the helpers above.
func TestCutsListIsSorted(t *testing.T) {
	cuts := randomCuts(rand.New(rand.NewPCG(5, 6)), 1000, 50)
	if !sort.IntsAreSorted(cuts) || len(cuts) == 0 || cuts[len(cuts)-1] >= 1000 {
		t.Fatalf("cuts %v", cuts)
	}
}

// checkSplitInvariant serves page in one write and in the given pieces,
// and fails unless both outputs are equal and are the page itself or the
// page with exactly one insertion. A response that gave up (possible when
// pieces make the held bytes reach MaxHeld) must be the page unchanged.
func checkSplitInvariant(t *testing.T, name string, page []byte, cuts []int, p Placement, maxHeld int) {
	t.Helper()
	one, oneOut := serveBytes(page, nil, true, p, maxHeld)
	if !bytes.Equal(one, page) && !isOneInsertion(page, one, []byte(element)) {
		t.Fatalf("%s %v: one write changed more than one insertion (%s)", name, p, oneOut.Reason)
	}
	got, out := serveBytes(page, cuts, true, p, maxHeld)
	if out.Reason == GaveUp || oneOut.Reason == GaveUp {
		if out.Reason == GaveUp && !bytes.Equal(got, page) {
			t.Fatalf("%s %v: gave up but changed the page", name, p)
		}
		return
	}
	if !bytes.Equal(got, one) || out.Reason != oneOut.Reason {
		t.Fatalf("%s %v MaxHeld %d: %d pieces give %s, one write %s; outputs equal: %v",
			name, p, maxHeld, len(cuts)+1, out.Reason, oneOut.Reason, bytes.Equal(got, one))
	}
}

func TestMalformedPagesKeepEveryByte(t *testing.T) {
	pages := []string{
		"", "<", "</", "<head", "</head", "<head\x00>", "\x00\x00<head>\x00</head>\x00<body>\x00</body>",
		"\xff\xfe<HEAD>\xc3(</HeAd>\xed\xa0\x80</BODY>", "<<<<>>>><head>>>></head</head>",
		"<!--<head></head>", "<script><head></head></script>", "<head a='</head>", "<head/><body/>",
		"<?php echo '</body>' ?></body>", "<![CDATA[</head>]]></head>", "</body x=\"</body>\">",
		strings.Repeat("<head>", 100), strings.Repeat("\x00", 1000),
	}
	for _, page := range pages {
		for _, p := range placements {
			for _, maxHeld := range []int{DefaultMaxHeld, 8} {
				var cuts []int
				for i := 1; i < len(page); i++ {
					cuts = append(cuts, i) // one byte per write
				}
				checkSplitInvariant(t, fmt.Sprintf("%q", page), []byte(page), cuts, p, maxHeld)
			}
		}
	}
}

func TestCorpusPagesSplitInvariant(t *testing.T) {
	pages := corpusPages(t, 100, 4<<20)
	testenv.Require(t, len(pages) > 0, "the shared corpus", "its pages sit beside the repository in shared/corpus/pages")
	r := rand.New(rand.NewPCG(7, 8))
	for i, page := range pages {
		for _, p := range placements {
			cuts := randomCuts(r, len(page), []int{7, 300, 5000}[i%3])
			checkSplitInvariant(t, fmt.Sprintf("corpus page %d", i), page, cuts, p, DefaultMaxHeld)
		}
	}
	t.Logf("%d corpus pages", len(pages))
}
