package inject

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// This file runs the tree oracle (scan_tree_test.go) differentially over
// generated tag soup: documents made of the pieces of markup that change
// what the HTML tree builder does with the tags after them (foreign content
// and its integration points, breakout tags, <font>, <template>, <select>,
// tables, framesets, raw-text elements, comments, end tags of every kind),
// with markers among them. For every placement, wherever the scanner
// inserts, the tree builder must see one HTML <script> with exactly the
// inserted attributes and text; where it declines, the page must have held
// something that may make it decline, and through Handler the body must be
// byte-identical and reported as Ambiguous.

// scanTreePieces are the pieces generated documents are made of.
func scanTreePieces() []string {
	return []string{
		// Foreign content and integration points.
		"<svg>", "</svg>", "<svg/>", "<SVG viewBox='0 0 1 1'>", "<math>", "</math>", "<mAth>",
		"<g>", "</g>", "<path d=x/>", "<path>", "</path>", "<linearGradient>", "</LINEARGRADIENT>",
		"<foreignObject>", "</foreignObject>", "<foreignobject>", "<desc>", "</desc>", "<title>", "</title>",
		"<mi>", "</mi>", "<mo>", "<mn>", "<ms>", "<mtext>", "</mtext>", "<mglyph>", "<malignmark>",
		"<annotation-xml encoding=text/html>", "<annotation-xml encoding='application/xhtml+xml'>",
		"<annotation-xml>", "</annotation-xml>", "<font color=red>", "<font face=x>", "<font size=1>", "<font>",
		"</font>", "<svg><desc>", "<math><mi>", "<svg><title>", "<select>", "<image>",
		// HTML structure and insertion modes.
		"<template>", "</template>", "<select>", "</select>", "<option>", "</option>", "<optgroup>",
		"<hr>", "<input>", "<keygen>", "<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>",
		"<caption>", "<colgroup>", "<col>", "<tbody>", "<div>", "</div>", "<p>", "</p>", "</br>", "<br>",
		"<b>", "</b>", "<span>", "<a>", "</a>", "<nobr>", "<li>", "<h1>", "<pre>", "<listing>",
		"<ruby>", "<rt>", "<object>", "</object>", "<applet>", "<marquee>", "<button>", "</button>",
		"<form>", "</form>", "<frameset>", "</frameset>", "<frame>", "<html>", "</html>", "<meta charset=utf-8>",
		// Raw text and the like.
		"<textarea name=x>", "</textarea>", "<style>", "</style>", "<xmp>", "</xmp>", "<noscript>",
		"</noscript>", "<iframe>", "</iframe>", "<noembed>", "</noembed>", "<noframes>", "</noframes>",
		"<plaintext>", "<script>", "</script>", "<script><!--", "<title>", "</title>",
		// Comments, CDATA, text, attributes.
		"<!--", "-->", "<!-- x -->", "<![CDATA[", "]]>", "<!DOCTYPE html>", "<?x>", "x", " ", "\n",
		"&lt;", "&amp;", "\x00", "<a title='", "'>", "<a title=\"", "\">", "<img alt=",
		// Markers and their neighbours.
		"<head>", "</head>", "<body>", "</body>", "</BODY >", "</head x=y>", "<header>", "</bodyx>",
	}
}

// scanTreeDoc builds a document from picks: each byte chooses a piece.
func scanTreeDoc(picks []byte) []byte {
	v := scanTreePieces()
	var b []byte
	for _, p := range picks {
		b = append(b, v[int(p)%len(v)]...)
	}
	return b
}

// scanTreeRandomPicks returns picks for a document of up to n pieces, with
// the markers placed among them more often than chance would.
func scanTreeRandomPicks(rng *rand.Rand, n int) []byte {
	v := scanTreePieces()
	index := func(piece string) byte {
		for i, p := range v {
			if p == piece {
				return byte(i)
			}
		}
		panic(piece)
	}
	picks := make([]byte, 0, n+3)
	for range 1 + rng.IntN(n) {
		picks = append(picks, byte(rng.IntN(len(v))))
	}
	for _, m := range []string{"<head>", "</head>", "</body>"} {
		if rng.IntN(4) != 0 {
			at := rng.IntN(len(picks) + 1)
			picks = append(picks[:at], append([]byte{index(m)}, picks[at:]...)...)
		}
	}
	return picks
}

// scanTreeStats counts what happened over many documents.
type scanTreeStats struct {
	inserted, declined, none [3]int
}

// scanTreeCheckDoc checks the scanner on doc for every placement, cut in
// chunks at cuts, against the tree oracle and the tokenizer oracle.
func scanTreeCheckDoc(t *testing.T, doc []byte, cuts []int, st *scanTreeStats) {
	t.Helper()
	for _, p := range scanPlacements {
		at, hold := scanChunks(t, doc, p, cuts)
		if whole, _ := scanChunks(t, doc, p, nil); whole != at {
			t.Fatalf("%s: at = %d in chunks cut at %v, %d whole; document %q", scanPlacementName(p), at, cuts, whole, doc)
		}
		if want := scanOracle(doc, p).at; !scanAgrees(doc, p, at, hold, want) {
			t.Fatalf("%s: at = %d (hold %d), tokenizer oracle %d; document %q", scanPlacementName(p), at, hold, want, doc)
		}
		switch {
		case at == scanDeclined:
			st.declined[p]++
		case at < 0:
			st.none[p]++
		default:
			st.inserted[p]++
			if msg := scanTreeCheck(doc, at); msg != "" {
				t.Fatalf("%s: inserted at %d: %s; document %q", scanPlacementName(p), at, msg, doc)
			}
			if p == AfterHeadOpen {
				if msg := scanSentinelFirstInHead(doc, at); msg != "" {
					t.Fatalf("inserted at %d: %s; document %q", at, msg, doc)
				}
			}
		}
	}
}

// scanTreeServe runs doc through Handler at p, written in chunks cut at
// cuts, and checks the response: the script once, as the tree oracle wants
// it, with every other byte unchanged; or, when the outcome is Ambiguous or
// NoMarker, the page byte-identical.
func scanTreeServe(t *testing.T, doc []byte, cuts []int, p Placement) {
	t.Helper()
	const script = "window.chat={id:\"chatident-sentinel\"};"
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		w.Header().Set("Content-Security-Policy", "script-src 'nonce-r4nd0m'")
		prev := 0
		for _, c := range append(cuts, len(doc)) {
			c = min(max(c, prev), len(doc))
			_, _ = w.Write(doc[prev:c])
			prev = c
		}
	})
	var out Outcome
	tp := newTap()
	Handler(app, constScript(script), At(p), Observe(func(_ *http.Request, o Outcome) { out = o })).
		ServeHTTP(tp, httptest.NewRequest("GET", "/", nil))
	body := tp.body.Bytes()
	switch out.Reason {
	case Injected:
		i := bytes.Index(body, []byte(script))
		start := bytes.LastIndex(body[:max(i, 0)], []byte("<script"))
		if i < 0 || start < 0 {
			t.Fatalf("%s: Injected, but the script is not in the body %q", p, body)
		}
		end := i + len(script) + len(closeTag)
		open := string(body[start:i])
		if !bytes.Equal(slicesConcat(body[:start], body[end:]), doc) {
			t.Fatalf("%s: the body is not the page with one element inserted: %q", p, body)
		}
		if msg := scanTreeCheckOutput(body, open, script); msg != "" {
			t.Fatalf("%s: %s; document %q", p, msg, doc)
		}
	case Ambiguous, NoMarker:
		if !bytes.Equal(body, doc) {
			t.Fatalf("%s: %s, but the body changed: %q", p, out.Reason, body)
		}
		if out.Reason == Ambiguous && (p == AfterHeadOpen || !scanMayDecline(doc)) {
			t.Fatalf("%s: Ambiguous on %q", p, doc)
		}
	default:
		t.Fatalf("%s: outcome %v", p, out)
	}
}

func slicesConcat(a, b []byte) []byte { return append(append([]byte{}, a...), b...) }

// FuzzPlacementTree is the differential tree-oracle check on documents
// built from picks (see scanTreePieces), fed in chunks whose sizes come from
// sizes, for every placement, and through Handler for one placement chosen
// by the document's length.
func FuzzPlacementTree(f *testing.F) {
	// The audit's examples, each before both markers.
	for _, ex := range []string{
		"<svg></div><textarea>", "<svg><foreignObject><textarea name=x>", "<math><mi><style>",
		"<svg><font color=red><xmp>", "<table><svg></table><noscript>",
		"<svg><title>x</title></svg>", "<select><option>a</select>", "<template><svg></template>",
	} {
		f.Add([]byte("<html><head><title>t</title>"+ex+"</head><body>"+ex+"<p>user</p></body></html>"), []byte{7, 3})
	}
	f.Add(scanTreeDoc(scanTreeRandomPicks(rand.New(rand.NewPCG(1, 1)), 20)), []byte{1})
	f.Fuzz(func(t *testing.T, doc, sizes []byte) {
		if len(doc) > 1<<12 {
			return
		}
		var st scanTreeStats
		cuts := scanFuzzCuts(len(doc), sizes)
		scanTreeCheckDoc(t, doc, cuts, &st)
		scanTreeServe(t, doc, cuts, scanPlacements[len(doc)%3])
	})
}

// FuzzPlacementTreeSoup is FuzzPlacementTree on documents built from pieces
// chosen by picks: byte-level fuzzing rarely spells <annotation-xml
// encoding=text/html>, this reaches the tree builder's corners at once.
func FuzzPlacementTreeSoup(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 200, 201}, []byte{5})
	f.Add([]byte("svg math select template table"), []byte{2, 9})
	f.Fuzz(func(t *testing.T, picks, sizes []byte) {
		if len(picks) > 256 {
			return
		}
		doc := scanTreeDoc(picks)
		var st scanTreeStats
		cuts := scanFuzzCuts(len(doc), sizes)
		scanTreeCheckDoc(t, doc, cuts, &st)
		scanTreeServe(t, doc, cuts, scanPlacements[len(picks)%3])
	})
}

// TestPlacementTreeGenerated is the bounded, always-on run of the same
// checks: thousands of generated documents from a fixed seed.
func TestPlacementTreeGenerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	n := 6000
	if testing.Short() {
		n = 1500
	}
	var st scanTreeStats
	for i := range n {
		doc := scanTreeDoc(scanTreeRandomPicks(rng, 24))
		cuts := scanFuzzCuts(len(doc), []byte{byte(rng.UintN(64)), byte(rng.UintN(16))})
		scanTreeCheckDoc(t, doc, cuts, &st)
		if i%4 == 0 {
			scanTreeServe(t, doc, cuts, scanPlacements[rng.IntN(3)])
		}
		if t.Failed() {
			t.Fatalf("document %q", doc)
		}
	}
	for _, p := range scanPlacements {
		t.Logf("%s: %d inserted, %d declined, %d without a marker", scanPlacementName(p),
			st.inserted[p], st.declined[p], st.none[p])
		// The guard must not decline everything that holds foreign content:
		// the generator makes plenty of documents that are plain enough.
		if p != AfterHeadOpen && st.inserted[p] < n/20 {
			t.Errorf("%s: only %d of %d documents got the script", scanPlacementName(p), st.inserted[p], n)
		}
	}
}

// TestPlacementTreeExamples pins the audit's examples: before either
// Before* marker, each makes the scanner decline, and through Handler the
// page is unchanged and reported as Ambiguous.
func TestPlacementTreeExamples(t *testing.T) {
	for _, ex := range []string{
		"<svg></div><textarea>", "<svg><foreignObject><textarea name=x>", "<math><mi><style>",
		"<svg><font color=red><xmp>", "<table><svg></table><noscript>",
	} {
		doc := []byte("<html><head><title>t</title></head><body><p>" + ex + "</p>" +
			"<form action=//evil.example><textarea name=x></body></html>")
		body := []byte("<html><head>" + ex + "</head><body></body></html>")
		for _, c := range []struct {
			doc []byte
			p   Placement
		}{{doc, BeforeBodyClose}, {body, BeforeHeadClose}, {body, BeforeBodyClose}} {
			if at, _ := scanChunks(t, c.doc, c.p, nil); at != scanDeclined {
				t.Errorf("%s %q: at = %d, want a decline", c.p, c.doc, at)
			}
			scanTreeServe(t, c.doc, nil, c.p)
		}
	}
	if !strings.Contains(string(Ambiguous), "ambiguous") {
		t.Errorf("Ambiguous = %q", Ambiguous)
	}
}
