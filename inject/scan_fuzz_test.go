package inject

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatident/chatident/internal/testenv"
)

// FuzzScannerOracle feeds random documents in random chunks and checks the
// scanner against the oracle for every placement, the scanner's contract on
// every feed (scanChunks), that chunking never changes the answer, that a
// sentinel script inserted where the scanner says is one HTML script element
// for the tree builder (scanTreeCheck; for AfterHeadOpen, the first in
// <head>), and that a hold short of the end points at a byte that can start
// what is held. A decline is accepted where the document holds something
// that may cause one (scanMayDecline).
//
// Each byte of sizes is the length of the next chunk modulo 64 (0 gives an
// empty chunk), cycled until the document is used up.
func FuzzScannerOracle(f *testing.F) {
	for _, c := range scanCasesBeforeHeadClose() {
		doc, _, _ := c.parse()
		f.Add(doc, []byte{1})
		f.Add([]byte(forBody(c).doc), []byte{3, 1, 7})
	}
	for _, c := range scanCasesAfterHeadOpen() {
		doc, _, _ := c.parse()
		f.Add(doc, []byte{2, 5})
	}
	// The small documents of the shared corpus, when it is there.
	dir := filepath.Join(scanCorpusDir, "html5lib-tests", "tree-construction")
	files, _ := filepath.Glob(filepath.Join(dir, "*.dat"))
	testenv.Want(f, len(files) > 0, "the shared corpus", "html5lib-tests sit beside the repository in shared/corpus; without them the seeds are the built-in ones alone")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		for _, part := range bytes.Split(b, []byte("#data\n"))[1:] {
			if end := bytes.Index(part, []byte("\n#errors\n")); end > 0 && end < 512 {
				f.Add(part[:end], []byte{4})
			}
		}
	}
	f.Fuzz(func(t *testing.T, doc, sizes []byte) {
		if len(doc) <= 1<<14 {
			scanCheckDoc(t, doc, scanFuzzCuts(len(doc), sizes))
		}
	})
}

// FuzzScannerVocabulary is FuzzScannerOracle on documents built from pieces
// of HTML that matter to the scanner: each byte of picks chooses one piece.
// Byte-level fuzzing rarely spells "<!--<script>" or "<![CDATA["; this
// reaches the deep states quickly.
func FuzzScannerVocabulary(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3}, []byte{1})
	f.Add([]byte("script escaped double"), []byte{5, 2})
	f.Add([]byte{40, 26, 42, 54, 44, 27, 41, 55, 36}, []byte{3})
	f.Fuzz(func(t *testing.T, picks, sizes []byte) {
		if len(picks) > 512 {
			return // longer adds nothing but time
		}
		doc := scanVocabularyDoc(picks)
		scanCheckDoc(t, doc, scanFuzzCuts(len(doc), sizes))
	})
}

// TestScanRandomDocuments runs a fixed set of vocabulary documents through
// the fuzzers' checks, so that every test run explores the deep states too.
func TestScanRandomDocuments(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for range n {
		picks := make([]byte, 1+rng.IntN(24))
		for i := range picks {
			picks[i] = byte(rng.UintN(256))
		}
		sizes := []byte{byte(rng.UintN(64)), byte(rng.UintN(8))}
		doc := scanVocabularyDoc(picks)
		scanCheckDoc(t, doc, scanFuzzCuts(len(doc), sizes))
		if t.Failed() {
			t.Fatalf("document %q", doc)
		}
	}
}

// scanVocabulary returns the pieces vocabulary documents are made of.
func scanVocabulary() []string {
	return []string{
		"<", ">", "/", "!", "-", "--", "?", "=", "\"", "'", " ", "\t", "\n", "\r", "\f",
		"\x00", "a", "x1", "&", "#", "&#32;", "&#x9", "&Tab;", "&NewLine", ";", "\xEF\xBB\xBF",
		"<!--", "-->", "--!>", "<!-->", "<!--->", "<!DOCTYPE html>", "<!doctype", "<![CDATA[", "]]>", "]",
		"<?", "<head>", "<head", "</head>", "</head", "<HEAD ", "</HEAD ", "<body>", "</body>",
		"</body", "<html>", "<html", "</html>", "</br>", "<title>", "</title>", "<script>", "</script>",
		"<script", "</script", "<SCRIPT>", "</SCRIPT ", "<style>", "</style>", "<textarea>",
		"</textarea>", "<xmp>", "</xmp>", "<iframe>", "</iframe>", "<noembed>", "</noembed>",
		"<noframes>", "</noframes>", "<noscript>", "</noscript>", "<plaintext>", "<svg>", "</svg>",
		"<svg/>", "<math>", "</math>", "<header>", "</header>", "<div>", "</p>", "<meta", " a=",
		" a=\"", " a='", "\" ", "' ", "/>", "<foreignObject>", "<desc>", "<b>", "</>", "</ ",
		"<!x", "<!-", "<!---", "--!", "<scrip", "t>", "<!--<script>", "--><", "\xFE\xFF",
	}
}

func scanVocabularyDoc(picks []byte) []byte {
	v := scanVocabulary()
	var b []byte
	for _, p := range picks {
		b = append(b, v[int(p)%len(v)]...)
	}
	return b
}

// scanCheckDoc is the check both fuzzers make on one document.
func scanCheckDoc(t *testing.T, doc []byte, cuts []int) {
	t.Helper()
	for _, p := range scanPlacements {
		want := scanOracle(doc, p).at
		at, hold := scanChunks(t, doc, p, cuts)
		if !scanAgrees(doc, p, at, hold, want) {
			t.Fatalf("%s: at = %d (hold %d), oracle %d, chunks cut at %v", scanPlacementName(p), at, hold, want, cuts)
		}
		if whole, _ := scanChunks(t, doc, p, nil); whole != at {
			t.Fatalf("%s: at = %d in chunks cut at %v, %d whole", scanPlacementName(p), at, cuts, whole)
		}
		if at == scanDeclined {
			continue
		}
		if at < 0 {
			scanCheckHold(t, doc, p, hold)
			continue
		}
		if msg := scanTreeCheck(doc, at); msg != "" {
			t.Fatalf("%s: inserted at %d: %s; document %q", scanPlacementName(p), at, msg, doc)
		}
		if p == AfterHeadOpen {
			if msg := scanSentinelFirstInHead(doc, at); msg != "" {
				t.Fatalf("inserted at %d: %s", at, msg)
			}
		}
	}
}

// scanFuzzCuts turns chunk sizes into cut offsets for a document of n bytes.
func scanFuzzCuts(n int, sizes []byte) []int {
	total := 0
	for _, b := range sizes {
		total += int(b % 64)
	}
	if total == 0 {
		return nil
	}
	var cuts []int
	for off, i := 0, 0; off < n; i++ {
		off += int(sizes[i%len(sizes)] % 64)
		cuts = append(cuts, min(off, n))
	}
	return cuts
}

// scanCheckHold checks a hold left short of the end of the document: it must
// point at the '<' of a possible marker or, before the head, at a '<', an
// '&' or the start of a byte order mark. When what is held is the start of the
// marker itself, completing it must put the insertion point exactly there,
// which shows the hold is not stale.
func scanCheckHold(t *testing.T, doc []byte, p Placement, hold int64) {
	t.Helper()
	if hold == int64(len(doc)) {
		return
	}
	rest := string(doc[hold:])
	switch {
	case rest[0] == '<':
	case p == AfterHeadOpen && rest[0] == '&':
	case p == AfterHeadOpen && hold == 0 && len(rest) < 3 &&
		(strings.HasPrefix("\xEF\xBB\xBF", rest) || rest == "\xFE" || rest == "\xFF"):
		return // a byte order mark, UTF-8 or UTF-16, may be coming
	default:
		t.Fatalf("%s: hold %d points at %q", scanPlacementName(p), hold, rest)
	}
	complete := "</body>"
	if p == BeforeHeadClose {
		complete = "</head>"
	}
	if len(rest) < len(complete) && strings.EqualFold(rest, complete[:len(rest)]) {
		more := append(bytes.Clone(doc), complete[len(rest):]...)
		if at, _ := scanChunks(t, more, p, nil); at != hold && !(at == scanDeclined && scanMayDecline(more)) {
			t.Fatalf("%s: held from %d, but completing %q inserts at %d", scanPlacementName(p), hold, rest, at)
		}
	}
}
