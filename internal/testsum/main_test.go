package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatident/chatident/internal/testenv"
)

// sample is a module whose tests pass, fail, skip (with and without a
// reason, in a subtest, in the race-build form) and log before skipping.
var sample = map[string]string{
	"go.mod": "module example.com/sample\n\ngo 1.25\n",
	"a/a_test.go": `package a

import "testing"

func TestPass(t *testing.T) { t.Log("a line that is not the skip reason") }

func TestMissingNode(t *testing.T) {
	t.Log("looking for node")
	t.Skip("missing node: install it")
}

func TestSubtests(t *testing.T) {
	t.Run("ok", func(t *testing.T) {})
	t.Run("skipped", func(t *testing.T) { t.Skip("missing the shared corpus: put it beside the repository") })
	t.Run("bad", func(t *testing.T) { t.Error("wrong answer 42") })
}

func TestSkipNow(t *testing.T) { t.SkipNow() }

func TestAllocsRace(t *testing.T) { t.Skip("race build: allocation counts\nsecond line") }
`,
	"b/b_test.go": `package b

import "testing"

func TestB(t *testing.T) {}
`,
}

// goTestJSON runs go test -json over the sample module through run and
// returns what run printed and the results it logged.
func goTestJSON(t *testing.T) (string, []result) {
	t.Helper()
	goBin := testenv.LookPath(t, "go", "install Go")
	dir := t.TempDir()
	for name, body := range sample {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logPath := filepath.Join(t.TempDir(), "log")
	cmd := exec.Command(goBin, "test", "-json", "-count=1", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out, logBuf bytes.Buffer
	f := newFilter(&out, &logBuf)
	if err := f.read(stdout); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("go test passed a module with a failing test")
	}
	f.flush()
	if !f.failed {
		t.Error("the filter saw no failure")
	}
	if err := os.WriteFile(logPath, logBuf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var results []result
	dec := json.NewDecoder(&logBuf)
	for dec.More() {
		var r result
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	return out.String(), results
}

func TestFilterOnRealGoTest(t *testing.T) {
	out, results := goTestJSON(t)
	for _, want := range []string{
		"ok  \texample.com/sample/b",
		"FAIL\texample.com/sample/a",
		"wrong answer 42",
		"--- FAIL: TestSubtests/bad",
		"--- SKIP: TestMissingNode (example.com/sample/a): missing node: install it\n",
		"--- SKIP: TestSubtests/skipped (example.com/sample/a): missing the shared corpus: put it beside the repository\n",
		"--- SKIP: TestSkipNow (example.com/sample/a): no reason given\n",
		"--- SKIP: TestAllocsRace (example.com/sample/a): race build: allocation counts\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"a line that is not the skip reason", "=== RUN   TestB", "--- PASS", "\nPASS\n"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("output has %q, which plain go test leaves out:\n%s", unwanted, out)
		}
	}

	s := tally(results)
	// Passed: TestPass, TestSubtests/ok, TestB. Failed: TestSubtests/bad
	// and its parent. Skipped: the four top-level skips and one subtest.
	if s.passed != 3 || s.failed != 2 || s.skipped != 4 {
		t.Errorf("tally = %d passed, %d failed, %d skipped; want 3, 2, 4\n%+v", s.passed, s.failed, s.skipped, results)
	}
	want := "tests: 3 passed, 2 failed, 4 skipped\n" +
		"skipped: 4 (missing node: 1; missing the shared corpus: 1; no reason given: 1; race build: 1)"
	if got := s.String(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	if len(s.problems) != 1 || !strings.Contains(s.problems[0], "TestAllocsRace") {
		t.Errorf("problems = %q, want the race-build skip that never passed", s.problems)
	}
}

func TestTallyRaceSkipPassedElsewhere(t *testing.T) {
	results := []result{
		{Package: "p", Test: "TestAllocs", Action: "skip", Reason: "race build: allocation counts; the pass without the race detector runs it"},
		{Package: "p", Test: "TestOther", Action: "pass"},
		{Package: "p", Action: "pass"},
		{Package: "p", Test: "TestAllocs", Action: "pass"}, // the pass without -race
	}
	s := tally(results)
	if len(s.problems) != 0 {
		t.Errorf("problems: %q", s.problems)
	}
	want := "tests: 2 passed, 0 failed, 1 skipped\nskipped: 1 (race build: 1, all passed without the race detector)"
	if got := s.String(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}

	// The same skip in another package does not count as having run.
	results[3].Package = "q"
	if s := tally(results); len(s.problems) != 1 {
		t.Errorf("a pass in another package accepted: problems %q", s.problems)
	}
}

func TestTallyNothingPassed(t *testing.T) {
	s := tally([]result{{Package: "p", Test: "TestX", Action: "skip", Reason: "missing node: x"}})
	if len(s.problems) != 1 || s.problems[0] != "no test passed" {
		t.Errorf("problems = %q", s.problems)
	}
	if got, want := s.String(), "tests: 0 passed, 0 failed, 1 skipped\nskipped: 1 (missing node: 1)"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

func TestFilterUnfinishedTest(t *testing.T) {
	var out, log bytes.Buffer
	f := newFilter(&out, &log)
	for _, l := range []string{
		`{"Action":"start","Package":"p"}`,
		`{"Action":"run","Package":"p","Test":"TestHang"}`,
		`{"Action":"output","Package":"p","Test":"TestHang","Output":"=== RUN   TestHang\n"}`,
		`{"Action":"output","Package":"p","Test":"TestHang","Output":"    x_test.go:3: working\n"}`,
		`not json: the go command said something`,
	} {
		f.line([]byte(l))
	}
	f.flush()
	if !f.failed {
		t.Error("a test without a result did not count as a failure")
	}
	for _, want := range []string{"not json: the go command said something\n", "--- NO RESULT: p TestHang", "x_test.go:3: working"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestReasonKey(t *testing.T) {
	for in, want := range map[string]string{
		"missing node: install it":           "missing node",
		"1 GiB through the writer":           "1 GiB through the writer",
		"race build: allocation counts: why": "race build",
		strings.Repeat("x", 100):             strings.Repeat("x", 57) + "...",
	} {
		if got := reasonKey(in); got != want {
			t.Errorf("reasonKey(%q) = %q, want %q", in, got, want)
		}
	}
}
