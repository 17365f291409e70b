package inject

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// This file checks the scanner against html5lib-tests (shared/corpus): the
// tree-construction inputs against the oracle and a real parse, and the
// tokenizer tests against their expected token lists.

// scanDatTest is one test of an html5lib tree-construction .dat file.
type scanDatTest struct {
	file     string
	index    int // 0-based, in its file
	data     []byte
	fragment bool // a #document-fragment test: innerHTML parsing, not a page
}

func (d scanDatTest) String() string { return fmt.Sprintf("%s#%d %q", d.file, d.index, d.data) }

// scanReadDatTests reads every tree-construction test, as bytes: some hold NUL
// and other bytes that are not text.
func scanReadDatTests(t *testing.T) []scanDatTest {
	t.Helper()
	dir := scanCorpusPath(t, "html5lib-tests", "tree-construction")
	files, _ := filepath.Glob(filepath.Join(dir, "*.dat"))
	scripted, _ := filepath.Glob(filepath.Join(dir, "scripted", "*.dat"))
	files = append(files, scripted...)
	if len(files) == 0 {
		t.Fatalf("no .dat files in %s", dir)
	}
	var tests []scanDatTest
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, f)
		parts := bytes.Split(b, []byte("#data\n"))
		for i, p := range parts[1:] {
			// The data ends at the "#errors" line; the newline before it
			// is not part of the data.
			end := bytes.Index(p, []byte("\n#errors\n"))
			if bytes.HasPrefix(p, []byte("#errors\n")) {
				end = 0
			}
			if end < 0 {
				t.Fatalf("%s: test %d has no #errors line", rel, i)
			}
			tests = append(tests, scanDatTest{
				file:     rel,
				index:    i,
				data:     p[:end],
				fragment: bytes.Contains(p[end:], []byte("\n#document-fragment")),
			})
		}
	}
	return tests
}

// TestTreeConstructionData runs every whole-document #data input through the
// scanner, whole and split in two at every offset, and the oracle, for all
// three placements. It also parses each page with a sentinel script inserted
// where the scanner says: the sentinel must parse as a script element, and
// for AfterHeadOpen as the first element of <head>.
func TestTreeConstructionData(t *testing.T) {
	tests := scanReadDatTests(t)
	var run, fragments, comparisons, agreed, pending, parsed, diffs int
	for _, tc := range tests {
		if tc.fragment {
			fragments++
			continue
		}
		run++
		for _, p := range scanPlacements {
			o := scanOracle(tc.data, p)
			diffs += o.xnetScriptDiffs
			comparisons++
			at, hold := scanChunks(t, tc.data, p, nil)
			if !scanAgrees(tc.data, p, at, hold, o.at) {
				t.Errorf("%v %s: at = %d (hold %d), oracle %d", tc, scanPlacementName(p), at, hold, o.at)
				continue
			}
			agreed++
			if at != o.at {
				pending++
			}
			for k := 0; k <= len(tc.data); k++ {
				if a, _ := scanChunks(t, tc.data, p, []int{k}); a != at {
					t.Errorf("%v %s split at %d: at = %d, whole %d", tc, scanPlacementName(p), k, a, at)
					break
				}
			}
			if a, _ := scanChunks(t, tc.data, p, scanEveryByte(len(tc.data))); a != at {
				t.Errorf("%v %s bytewise: at = %d, whole %d", tc, scanPlacementName(p), a, at)
			}
			if at >= 0 {
				parsed++
				if msg := scanTreeCheck(tc.data, at); msg != "" {
					t.Errorf("%v %s: inserted at %d: %s", tc, scanPlacementName(p), at, msg)
				}
				if p == AfterHeadOpen {
					if msg := scanSentinelFirstInHead(tc.data, at); msg != "" {
						t.Errorf("%v: inserted at %d: %s", tc, at, msg)
					}
				}
			}
		}
	}
	t.Logf("tree-construction: %d documents run (%d fragment tests skipped), %d scanner/oracle comparisons, %d agree "+
		"(%d of them with the scanner still holding at the end of the input, as allowed), %d sentinel parses; "+
		"x/net script-data deviations corrected in the oracle: %d",
		run, fragments, comparisons, agreed, pending, parsed, diffs)
}

// TestTreeConstructionTraps pins the false-match traps of the corpus: the
// inputs where "</head" or "</body" occurs but is not an end tag. The corpus
// README counts six (four in tests16.dat, one each in tests2.dat and
// webkit02.dat); the oracle must find the same six, and the scanner must
// never insert at one of them.
func TestTreeConstructionTraps(t *testing.T) {
	type trap struct {
		test scanDatTest
		off  int
	}
	var traps []trap
	perFile := map[string]int{}
	for _, tc := range scanReadDatTests(t) {
		if tc.fragment {
			continue
		}
		var diffs int
		tagAt := map[int]bool{}
		for _, tag := range scanOracleTags(tc.data, &diffs) {
			if tag.end {
				tagAt[tag.start] = true
			}
		}
		seen := false
		for _, m := range []string{"</head", "</body"} {
			for o := 0; ; o++ {
				k := bytes.Index(tc.data[o:], []byte(m))
				if k < 0 {
					break
				}
				o += k
				if !tagAt[o] {
					traps = append(traps, trap{tc, o})
					if !seen {
						perFile[tc.file]++
						seen = true
					}
				}
			}
		}
	}
	want := map[string]int{"tests16.dat": 4, "tests2.dat": 1, "webkit02.dat": 1}
	if fmt.Sprint(perFile) != fmt.Sprint(want) {
		t.Errorf("inputs with a false </head or </body per file = %v, want %v", perFile, want)
	}
	for _, tr := range traps {
		for _, p := range scanPlacements {
			if at, _ := scanChunks(t, tr.test.data, p, nil); at == int64(tr.off) {
				t.Errorf("%v %s: inserted at the trap at %d", tr.test, scanPlacementName(p), tr.off)
			}
		}
	}
	for _, tr := range traps {
		t.Logf("trap: %s#%d at %d: %q", tr.test.file, tr.test.index, tr.off, tr.test.data)
	}
}

// scanTokTest is one html5lib tokenizer test.
type scanTokTest struct {
	Description   string            `json:"description"`
	Input         string            `json:"input"`
	Output        []json.RawMessage `json:"output"`
	InitialStates []string          `json:"initialStates"`
	LastStartTag  string            `json:"lastStartTag"`
	DoubleEscaped bool              `json:"doubleEscaped"`
}

// scanExpTok is an expected token: its type, tag name or text.
type scanExpTok struct {
	kind string // StartTag, EndTag, Comment, Character, DOCTYPE
	data string // the tag name or the text
}

// TestTokenizerConformance checks the scanner against html5lib's tokenizer
// tests. The tests start in a tokenizer state with no tree builder: in the
// Data state <script> does not switch to script data. So a test counts for a
// Before* placement only if no start tag that would switch the scanner (a
// raw-text element, <svg>, <math>) comes before the expected marker.
//
// Tests that start in the Data state without lastStartTag run as they are.
// Tests that start in another state are run behind a start tag that puts the
// scanner in that state, where the test's lastStartTag (or its absence) and
// input allow it exactly: <script> for script data, <xmp> for RAWTEXT and
// RCDATA (which differ only in character references), <plaintext>. CDATA
// section tests are not emulated.
//
// For each test and placement the expected tokens say whether there is an
// insertion point and which token it belongs to; the oracle, whose tags must
// match the expected ones up to that token, gives its offset; the scanner
// must agree with both.
func TestTokenizerConformance(t *testing.T) {
	dir := scanCorpusPath(t, "html5lib-tests", "tokenizer")
	files, _ := filepath.Glob(filepath.Join(dir, "*.test"))
	if len(files) == 0 {
		t.Fatalf("no .test files in %s", dir)
	}
	var total, run, emulated, notEmulated, checks, agreed, withPoint, rawSkipped int
	pointsBy := map[Placement]int{}
	renamed, renamedFailed, renamedPoints := 0, 0, map[Placement]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var suite struct {
			Tests    []scanTokTest `json:"tests"`
			XMLTests []scanTokTest `json:"xmlViolationTests"`
		}
		if err := json.Unmarshal(b, &suite); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, tc := range append(suite.Tests, suite.XMLTests...) {
			states := tc.InitialStates
			if len(states) == 0 {
				states = []string{"Data state"}
			}
			input := tc.Input
			if tc.DoubleEscaped {
				input = scanUnescapeU(input)
			}
			want, err := scanExpectedTokens(tc)
			if err != nil {
				t.Fatalf("%s #%d: %v", filepath.Base(f), i, err)
			}
			for _, st := range states {
				total++
				prefix, ok := scanEmulation(st, tc.LastStartTag, input)
				if !ok {
					notEmulated++
					continue
				}
				run++
				if prefix != "" {
					emulated++
				}
				name := fmt.Sprintf("%s #%d (%s) %q", filepath.Base(f), i, st, tc.Description)
				for _, p := range scanPlacements {
					if p == AfterHeadOpen && prefix != "" {
						continue // the prefix itself opens the head
					}
					r := scanCheckTokenizerTest(t, name, prefix, input, want, p)
					if p != AfterHeadOpen && r != scanTokFailed {
						// The tests have no </head> or </body>; give
						// them one by renaming their first end tag.
						if in2, want2, ok := scanRenameEndTag(input, want, scanMarkerName(p)); ok {
							renamed++
							switch scanCheckTokenizerTest(t, name+" renamed", prefix, in2, want2, p) {
							case scanTokAgreedWithPoint:
								renamedPoints[p]++
							case scanTokFailed:
								renamedFailed++
							}
						}
					}
					switch r {
					case scanTokSkippedRaw:
						rawSkipped++
						continue
					case scanTokAgreedWithPoint:
						withPoint++
						pointsBy[p]++
						agreed++
					case scanTokAgreed:
						agreed++
					}
					checks++
				}
			}
		}
	}
	t.Logf("tokenizer: %d test-and-state pairs, %d run (%d behind an emulating start tag), %d not emulable; "+
		"%d placement checks, %d agree (%d with an insertion point: AfterHeadOpen %d, BeforeHeadClose %d, "+
		"BeforeBodyClose %d); %d placement checks skipped because a raw-text, <svg> or <math> start tag "+
		"precedes the marker",
		total, run, emulated, notEmulated, checks, agreed, withPoint, pointsBy[AfterHeadOpen],
		pointsBy[BeforeHeadClose], pointsBy[BeforeBodyClose], rawSkipped)
	t.Logf("tokenizer, an end tag renamed to the marker: %d checks, %d failed; insertion points checked: "+
		"BeforeHeadClose %d, BeforeBodyClose %d", renamed, renamedFailed, renamedPoints[BeforeHeadClose],
		renamedPoints[BeforeBodyClose])
}

// scanRenameEndTag renames the first end tag of a test that it can (see
// below), and every end tag of that name, to marker: in the input every "</name" that a delimiter follows
// (whatever its case, wherever it is: a comment or an attribute keeps the
// same text shape), and in the expected tokens. Letters replace letters, so
// the tokenizer goes through the same states. It declines names that are
// not plain lower-case ASCII, that the tree builder acts on before the head,
// that end raw text (the emulating start tag's own end tag among them), or
// when the marker already occurs.
func scanRenameEndTag(input string, want []scanExpTok, marker string) (string, []scanExpTok, bool) {
	if strings.Contains(strings.ToLower(input), "</"+marker) {
		return "", nil, false
	}
	var name string
	for _, tok := range want {
		if tok.kind != "EndTag" || tok.data == "" || strings.Trim(tok.data, "abcdefghijklmnopqrstuvwxyz") != "" ||
			scanSwitchesTokenizer(tok.data) {
			continue
		}
		switch tok.data {
		case "head", "body", "html", "br":
			continue
		}
		name = tok.data
		break
	}
	if name == "" {
		return "", nil, false
	}
	var b strings.Builder
	lowered := strings.ToLower(input)
	for i := 0; i < len(input); {
		end := i + 2 + len(name)
		if strings.HasPrefix(lowered[i:], "</"+name) && end < len(input) && strings.IndexByte("\t\n\f\r />", input[end]) >= 0 {
			b.WriteString("</" + marker)
			i = end
			continue
		}
		b.WriteByte(input[i])
		i++
	}
	want = slices.Clone(want)
	for i, tok := range want {
		if tok.kind == "EndTag" && tok.data == name {
			want[i].data = marker
		}
	}
	return b.String(), want, true
}

// scanEmulation returns the start tag that puts the scanner into the initial
// state st with lastStartTag last, and whether that is exact for input.
func scanEmulation(st, last, input string) (string, bool) {
	var elem string
	switch st {
	case "Data state":
		return "", last == ""
	case "Script data state":
		elem = "script"
	case "RCDATA state", "RAWTEXT state":
		elem = "xmp"
	case "PLAINTEXT state":
		return "<plaintext>", true
	default: // CDATA section state
		return "", false
	}
	if last == "" && !strings.Contains(strings.ToLower(input), "</"+elem) {
		// No end tag can end it in the test, and none occurs.
		return "<" + elem + ">", true
	}
	return "<" + elem + ">", last == elem
}

// scanExpectedTokens decodes a test's output.
func scanExpectedTokens(tc scanTokTest) ([]scanExpTok, error) {
	var toks []scanExpTok
	for _, raw := range tc.Output {
		var tok []json.RawMessage
		if err := json.Unmarshal(raw, &tok); err != nil {
			return nil, err
		}
		var kind, data string
		if err := json.Unmarshal(tok[0], &kind); err != nil {
			return nil, err
		}
		if len(tok) > 1 {
			// A DOCTYPE's name may be null; the scanner skips DOCTYPEs.
			_ = json.Unmarshal(tok[1], &data)
		}
		if tc.DoubleEscaped {
			data = scanUnescapeU(data)
		}
		toks = append(toks, scanExpTok{kind, data})
	}
	return toks, nil
}

// scanUnescapeU undoes one level of \uXXXX escapes (doubleEscaped tests). Lone
// surrogates become U+FFFD: no tag or marker depends on them.
func scanUnescapeU(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+6 <= len(s) && s[i+1] == 'u' {
			if v, err := strconv.ParseUint(s[i+2:i+6], 16, 32); err == nil {
				b.WriteRune(rune(v))
				i += 5
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

type scanTokResult int

const (
	scanTokAgreed scanTokResult = iota
	scanTokAgreedWithPoint
	scanTokSkippedRaw
	scanTokFailed
)

// scanCheckTokenizerTest checks one tokenizer test for one placement.
func scanCheckTokenizerTest(t *testing.T, name, prefix, input string, want []scanExpTok, p Placement) scanTokResult {
	t.Helper()
	doc := []byte(prefix + input)
	at, hold := scanChunks(t, doc, p, nil)
	if b, _ := scanChunks(t, doc, p, scanEveryByte(len(doc))); b != at {
		t.Errorf("%s %s: bytewise at = %d, whole %d", name, scanPlacementName(p), b, at)
		return scanTokFailed
	}
	o := scanOracle(doc, p)
	if !scanAgrees(doc, p, at, hold, o.at) {
		t.Errorf("%s %s: at = %d (hold %d), oracle %d", name, scanPlacementName(p), at, hold, o.at)
		return scanTokFailed
	}

	// The expected insertion token: its index among the expected tags (or
	// -1 for text), and the number of tags before it.
	idx, tagsBefore := -1, 0
	found := false
	for _, tok := range want {
		isTag := tok.kind == "StartTag" || tok.kind == "EndTag"
		if p == AfterHeadOpen {
			if scanOpensHead(tok) {
				found = true
				if isTag {
					idx = tagsBefore
				}
				break
			}
		} else {
			if tok.kind == "EndTag" && tok.data == scanMarkerName(p) {
				found, idx = true, tagsBefore
				break
			}
			if tok.kind == "StartTag" && scanSwitchesTokenizer(tok.data) {
				return scanTokSkippedRaw
			}
		}
		if isTag {
			tagsBefore++
		}
	}
	if at < 0 {
		// Only the end of the input, which scanAgrees has accepted, may leave
		// the scanner without the expected insertion point.
		if found && o.at < 0 {
			t.Errorf("%s %s: no insertion point; the expected tokens have one", name, scanPlacementName(p))
			return scanTokFailed
		}
		return scanTokAgreed
	}
	if !found {
		// Only a tag cut short by the end of the input may decide where the
		// expected tokens (which drop such a tag) show nothing.
		if p == AfterHeadOpen && scanEOFCutTrigger(doc[at:]) {
			return scanTokAgreedWithPoint
		}
		t.Errorf("%s %s: at = %d, but the expected tokens have no insertion point", name, scanPlacementName(p), at)
		return scanTokFailed
	}
	// Line the oracle's tags (after the emulating prefix) up with the
	// expected ones.
	var diffs int
	tags := scanOracleTags(doc, &diffs)
	if prefix != "" {
		tags = tags[1:]
	}
	if len(tags) < tagsBefore {
		t.Errorf("%s %s: the oracle has %d tags, the expected tokens %d before the insertion point", name, scanPlacementName(p), len(tags), tagsBefore)
		return scanTokFailed
	}
	var wantTags []scanExpTok
	for _, tok := range want {
		if tok.kind == "StartTag" || tok.kind == "EndTag" {
			wantTags = append(wantTags, tok)
		}
	}
	for k := 0; k < tagsBefore; k++ {
		if (tags[k].end != (wantTags[k].kind == "EndTag")) || tags[k].name != wantTags[k].data {
			t.Errorf("%s %s: oracle tag %d is %+v, expected %+v", name, scanPlacementName(p), k, tags[k], wantTags[k])
			return scanTokFailed
		}
	}
	switch {
	case idx < 0:
		// Text opens the head: it lies after the tags before it and
		// before the next one.
		if tagsBefore > 0 && at < int64(tags[tagsBefore-1].stop) || tagsBefore < len(tags) && at >= int64(tags[tagsBefore].start) {
			t.Errorf("%s %s: at = %d is not in the text after tag %d", name, scanPlacementName(p), at, tagsBefore)
			return scanTokFailed
		}
	case idx >= len(tags):
		t.Errorf("%s %s: the oracle has no tag %d", name, scanPlacementName(p), idx)
		return scanTokFailed
	default:
		tag := tags[idx]
		wantAt := tag.start
		if p == AfterHeadOpen && !tag.end && tag.name == "head" {
			wantAt = tag.stop
		}
		if at != int64(wantAt) {
			t.Errorf("%s %s: at = %d, the expected token is at %d", name, scanPlacementName(p), at, wantAt)
			return scanTokFailed
		}
	}
	return scanTokAgreedWithPoint
}

// scanOpensHead reports whether an expected token is where AfterHeadOpen inserts.
func scanOpensHead(tok scanExpTok) bool {
	switch tok.kind {
	case "StartTag":
		return tok.data != "html"
	case "EndTag":
		switch tok.data {
		case "head", "body", "html", "br":
			return true
		}
	case "Character":
		return strings.Trim(tok.data, "\t\n\f\r ") != ""
	}
	return false
}

func scanMarkerName(p Placement) string {
	if p == BeforeHeadClose {
		return "head"
	}
	return "body"
}

// scanSwitchesTokenizer reports whether a start tag changes how the scanner reads
// what follows, which a tokenizer test without a tree builder does not.
func scanSwitchesTokenizer(name string) bool {
	switch name {
	case "script", "style", "textarea", "title", "xmp", "iframe", "noembed",
		"noframes", "noscript", "plaintext", "svg", "math":
		return true
	}
	return false
}
