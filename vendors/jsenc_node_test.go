package vendors

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/chatident/chatident/internal/testenv"
)

// extraCorpusEnv names a directory of fuzz inputs in Go's corpus format to
// check on top of the committed ones: .ci/fuzz points it at what its fuzz
// run of FuzzJSString kept in the build cache.
const extraCorpusEnv = "CHATIDENT_JSENC_CORPUS"

// TestJSStringCorpusInNode runs the encoder over every string the fuzz
// corpora hold (FuzzJSString's and FuzzAppendJSObject's, plus the hostile
// values and the directory named by CHATIDENT_JSENC_CORPUS) and has node
// read every literal back in one run, both with JSON.parse and as a
// JavaScript expression. Each must give the browser form of its input
// (invalid UTF-8 → U+FFFD), compared as UTF-16 code units, and each literal
// must be ASCII and unable to end a <script> element or open a comment.
func TestJSStringCorpusInNode(t *testing.T) {
	node := testenv.LookPath(t, "node", "install Node.js for the round trip of the fuzz corpus through JavaScript")
	inputs := slices.Clone(hostileStrings)
	for _, dir := range []string{
		filepath.Join("testdata", "fuzz", "FuzzJSString"),
		filepath.Join("testdata", "fuzz", "FuzzAppendJSObject"),
		os.Getenv(extraCorpusEnv),
	} {
		if dir != "" {
			inputs = append(inputs, corpusStrings(t, dir)...)
		}
	}
	if len(inputs) <= len(hostileStrings) {
		t.Fatal("no fuzz corpus found under testdata/fuzz: the round trip would test nothing but the hostile values")
	}

	var lines bytes.Buffer
	for _, s := range inputs {
		lit := JSString(s)
		checkScriptSafe(t, "JSString", lit)
		if bytes.IndexByte(lit, '\n') >= 0 {
			t.Fatalf("JSString(%q) = %s: a raw newline", s, lit)
		}
		lines.Write(lit)
		lines.WriteByte('\n')
	}
	cmd := exec.Command(node, filepath.Join("testdata", "jsround.js"))
	cmd.Stdin = &lines
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var got []struct{ JSON, JS any }
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("node output: %v", err)
	}
	if len(got) != len(inputs) {
		t.Fatalf("node read %d literals, want %d", len(got), len(inputs))
	}
	for i, s := range inputs {
		want := utf16.Encode([]rune(browserForm(s)))
		for _, r := range []struct {
			how string
			got any
		}{{"JSON.parse", got[i].JSON}, {"eval", got[i].JS}} {
			if !sameUnits(r.got, want) {
				t.Errorf("%s(%s) for input %q = %v, want code units %v", r.how, JSString(s), s, r.got, want)
			}
		}
	}
	t.Logf("%d strings read back by node", len(inputs))
}

// sameUnits reports whether v, decoded from node's JSON, is the array of
// code units want.
func sameUnits(v any, want []uint16) bool {
	a, ok := v.([]any)
	if !ok || len(a) != len(want) {
		return false
	}
	for i, x := range a {
		if f, ok := x.(float64); !ok || f != float64(want[i]) {
			return false
		}
	}
	return true
}

// corpusStrings returns every string argument in the fuzz corpus files of
// dir, written in Go's corpus format ("go test fuzz v1", then one Go
// literal per line, such as string("a\xff")). Arguments of other types are
// skipped. A missing dir gives none.
func corpusStrings(t *testing.T, dir string) []string {
	t.Helper()
	files, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if f.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<20)
		if !sc.Scan() || sc.Text() != "go test fuzz v1" {
			t.Fatalf("%s: not a Go fuzz corpus file", f.Name())
		}
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if !strings.HasPrefix(line, "string(") || !strings.HasSuffix(line, ")") {
				continue
			}
			s, err := strconv.Unquote(line[len("string(") : len(line)-1])
			if err != nil {
				t.Fatalf("%s: %q: %v", f.Name(), line, err)
			}
			out = append(out, s)
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", f.Name(), err)
		}
	}
	return out
}
