package inject

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatident/chatident/internal/testenv"
)

// placementBrowserScript is the inserted script of the browser differential:
// it records how often it ran, as what element, with how long a text.
const placementBrowserScript = `window.__chatidentRuns=(window.__chatidentRuns||0)+1;` +
	`var s=document.currentScript;window.__chatidentNS=s&&s.namespaceURI;window.__chatidentLen=s&&s.text.length;` +
	`/*chatident-sentinel*/`

// placementBrowserPieces are the tree oracle's pieces and, beside them,
// the combinations the audit found and their neighbours: breakout tags and
// raw-text elements inside SVG and MathML, integration points, self-closing
// forms, end tags of HTML ancestors.
func placementBrowserPieces() []string {
	return append(scanTreePieces(),
		"<svg></div><textarea>", "<svg><foreignObject><textarea name=x>", "<math><mi><style>", "<svg><font color=red><xmp>",
		"<table><svg></table><noscript>", "<svg><script>", "<math><annotation-xml encoding=TEXT/HTML>", "<svg><desc><p>",
		"<svg><p>", "<math><mtext><mglyph>", "<svg><font>", "<math><mi><svg>", "<svg><title><svg>", "<table><tr><svg>",
		"<svg><style>", "<svg><textarea>", "<math><textarea>", "<svg><noscript>", "<svg><plaintext>", "<svg><template>",
		"<template><math>", "</svg></math>", "<svg a=/>", "<svg/x>", "<svg//>", "<math/>", "<select><svg>", "<select><div>",
		"<select><textarea>", "<option><svg>", "<svg><img>", "<svg><br>", "<svg><pre>", "<svg><table>", "<math><li>")
}

// TestPlacementBrowserDifferential loads generated tag soup, as chatident
// rewrote it at every placement, in headless Chromium (e2e/browser/
// placement.js): wherever chatident inserted, the browser's tree builder
// must have made the script one HTML <script> element outside <template>
// content whose text is exactly the script, run once, with the sentinel
// nowhere else in the document. It is the tree oracle's check made by the
// browser itself rather than by golang.org/x/net/html.
func TestPlacementBrowserDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser differential is skipped in -short mode")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	driver := filepath.Join(root, "e2e", "browser")
	testenv.Require(t, testenv.Exists("/usr/bin/chromium"), "chromium", "apt-get install chromium")
	node := testenv.LookPath(t, "node", "install Node.js")
	testenv.Require(t, testenv.Exists(filepath.Join(driver, "node_modules", "playwright-core")),
		"e2e/browser/node_modules", "npm ci --prefix e2e/browser")

	type browserCase struct {
		ID     int    `json:"id"`
		Body   string `json:"body"`
		Script string `json:"script"`
		doc    string
		p      Placement
	}
	const want = 160 // injected pages to load; about 20 s
	rng := rand.New(rand.NewPCG(16, 40))
	pieces := placementBrowserPieces()
	var cases []browserCase
	for tries := 0; len(cases) < want && tries < 20*want; tries++ {
		var b strings.Builder
		for range 1 + rng.IntN(14) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		doc := b.String()
		for _, m := range []string{"<head>", "</head>", "</body>"} {
			if rng.IntN(3) != 0 {
				at := rng.IntN(len(doc) + 1)
				doc = doc[:at] + m + doc[at:]
			}
		}
		p := scanPlacements[rng.IntN(len(scanPlacements))]
		var out Outcome
		tp := newTap()
		app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			htmlType(w)
			_, _ = w.Write([]byte(doc))
		})
		Handler(app, constScript(placementBrowserScript), At(p), Observe(func(_ *http.Request, o Outcome) { out = o })).
			ServeHTTP(tp, httptest.NewRequest(http.MethodGet, "/", nil))
		if out.Reason != Injected {
			continue
		}
		cases = append(cases, browserCase{ID: len(cases), Body: tp.body.String(), Script: placementBrowserScript, doc: doc, p: p})
	}
	if len(cases) < want {
		t.Fatalf("only %d of the generated pages got the script", len(cases))
	}
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "cases.json")
	if err := os.WriteFile(file, in, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join(driver, "placement.js"), file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("placement.js: %v\n%s", err, stderr.String())
	}
	var res struct {
		Checked int `json:"checked"`
		Bad     []struct {
			ID  int            `json:"id"`
			Got map[string]any `json:"got"`
		} `json:"bad"`
	}
	if err := json.Unmarshal(stdout, &res); err != nil {
		t.Fatalf("placement.js output %q: %v", stdout, err)
	}
	if res.Checked != len(cases) {
		t.Fatalf("placement.js checked %d pages, want %d", res.Checked, len(cases))
	}
	for _, b := range res.Bad {
		c := cases[b.ID]
		t.Errorf("%s: in Chromium %v; document %q", scanPlacementName(c.p), b.Got, c.doc)
	}
}
