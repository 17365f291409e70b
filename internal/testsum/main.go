// Command testsum runs go test -json, prints what plain go test prints
// (each package's ok or FAIL line, the output of failing tests) plus one
// line per skipped test, and at the end of a run of several passes prints
// how many tests passed, failed and skipped, and why they skipped.
//
//	testsum -log FILE [-C DIR] -- go test -json [flags] [packages]
//	testsum -summary FILE
//
// The first form runs the command in DIR, passes its standard error through,
// appends one JSON line per test result to FILE and exits with the command's
// status (1 if the command succeeded but reported a failure). It sets
// CHATIDENT_RACE_SKIPS_CHECKED=1 in the command's environment: the summary
// checks that every test skipped as a race build passed in a pass without
// the race detector (see internal/testenv).
//
// The second form prints, from FILE, the lines
//
//	tests: P passed, F failed, S skipped
//	skipped: S (KEY: N, …)
//
// where KEY is the start of a skip's reason, up to its first ": ". It exits
// 1 when a test skipped as a race build has no pass without the race
// detector, or when no test passed at all.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"

	"github.com/chatident/chatident/internal/testenv"
)

func main() {
	log := flag.String("log", "", "append test results to this `file`")
	dir := flag.String("C", "", "run the command in this `directory`")
	summary := flag.String("summary", "", "print the summary of the results in this `file`")
	flag.Parse()
	var err error
	switch {
	case *summary != "":
		err = summarize(os.Stdout, *summary)
	case *log != "" && flag.NArg() > 0:
		err = run(*log, *dir, flag.Args())
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			os.Exit(exit.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "testsum:", err)
		os.Exit(1)
	}
}

// event is one line of go test -json (cmd/test2json).
type event struct {
	Action      string
	Package     string
	Test        string
	Output      string
	ImportPath  string // build-output, build-fail
	FailedBuild string
}

// result is one line of the log: a test's (or, with Test empty, a
// package's) pass, fail or skip, and for a skip its reason.
type result struct {
	Package string `json:"package"`
	Test    string `json:"test,omitempty"`
	Action  string `json:"action"`
	Reason  string `json:"reason,omitempty"`
}

func run(logPath, dir string, args []string) error {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("opening the log: %w", err)
	}
	defer logFile.Close()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), testenv.RacePassEnv+"=1")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("running %s: %w", args[0], err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("running %s: %w", args[0], err)
	}
	f := newFilter(os.Stdout, logFile)
	readErr := f.read(stdout)
	waitErr := cmd.Wait()
	f.flush()
	if readErr != nil {
		return readErr
	}
	if f.writeErr != nil {
		return fmt.Errorf("writing the log: %w", f.writeErr)
	}
	if waitErr != nil {
		return waitErr
	}
	if f.failed {
		return errors.New("a test or package failed, but the command exited 0")
	}
	return nil
}

// filter turns go test -json into plain go test output and log lines.
type filter struct {
	out      io.Writer
	log      *json.Encoder
	pending  map[string][]string // output of each test still running, by package and name
	order    []string            // keys of pending, in the order the tests started
	failed   bool
	writeErr error
}

func newFilter(out io.Writer, log io.Writer) *filter {
	return &filter{out: out, log: json.NewEncoder(log), pending: map[string][]string{}}
}

func (f *filter) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		f.line(sc.Bytes())
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading go test's output: %w", err)
	}
	return nil
}

func (f *filter) record(r result) {
	if err := f.log.Encode(r); err != nil && f.writeErr == nil {
		f.writeErr = err
	}
}

func (f *filter) line(b []byte) {
	var e event
	if len(b) == 0 || b[0] != '{' || json.Unmarshal(b, &e) != nil {
		// Not an event: go test printed it itself (a build error of an
		// older toolchain, a panic of the go command).
		fmt.Fprintf(f.out, "%s\n", b)
		return
	}
	key := e.Package + " " + e.Test
	switch {
	case e.Action == "build-output":
		fmt.Fprint(f.out, e.Output)
	case e.Action == "build-fail":
		f.failed = true
	case e.Test == "" && e.Action == "output":
		if e.Output != "PASS\n" {
			fmt.Fprint(f.out, e.Output)
		}
	case e.Test == "" && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip"):
		if e.Action == "fail" {
			f.failed = true
		}
		f.record(result{Package: e.Package, Action: e.Action})
	case e.Action == "run":
		if _, ok := f.pending[key]; !ok {
			f.order = append(f.order, key)
		}
		f.pending[key] = nil
	case e.Action == "output":
		if _, ok := f.pending[key]; !ok {
			f.order = append(f.order, key)
		}
		f.pending[key] = append(f.pending[key], e.Output)
	case e.Action == "pass" || e.Action == "fail" || e.Action == "skip":
		lines := f.pending[key]
		f.done(key)
		r := result{Package: e.Package, Test: e.Test, Action: e.Action}
		switch e.Action {
		case "fail":
			f.failed = true
			for _, l := range lines {
				fmt.Fprint(f.out, l)
			}
		case "skip":
			r.Reason = skipReason(lines)
			fmt.Fprintf(f.out, "--- SKIP: %s (%s): %s\n", e.Test, e.Package, r.Reason)
		}
		f.record(r)
	}
}

func (f *filter) done(key string) {
	delete(f.pending, key)
	if i := slices.Index(f.order, key); i >= 0 {
		f.order = slices.Delete(f.order, i, i+1)
	}
}

// flush prints the output of tests that never reported a result: the test
// binary died or was killed in the middle of them.
func (f *filter) flush() {
	for _, key := range f.order {
		fmt.Fprintf(f.out, "--- NO RESULT: %s\n", key)
		for _, l := range f.pending[key] {
			fmt.Fprint(f.out, l)
		}
		f.failed = true
	}
	f.order, f.pending = nil, map[string][]string{}
}

// logLine matches the first line of a message of t.Log, t.Skip and the like:
// indented, then file:line.
var logLine = regexp.MustCompile(`^\s+[\w.-]+\.go:\d+: (.*)$`)

// skipReason returns the last message a skipped test logged (its t.Skip
// message), on one line.
func skipReason(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if m := logLine.FindStringSubmatch(strings.TrimRight(lines[i], "\n")); m != nil {
			return strings.TrimSpace(m[1])
		}
	}
	return "no reason given"
}

// reasonKey is the start of reason up to its first ": ", by which the
// summary counts skips.
func reasonKey(reason string) string {
	key, _, _ := strings.Cut(reason, ": ")
	if len(key) > 60 {
		key = key[:57] + "..."
	}
	return key
}

func summarize(w io.Writer, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading the log: %w", err)
	}
	var results []result
	dec := json.NewDecoder(strings.NewReader(string(data)))
	for {
		var r result
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("reading the log %s: %w", path, err)
		}
		results = append(results, r)
	}
	s := tally(results)
	fmt.Fprintln(w, s.String())
	for _, m := range s.problems {
		fmt.Fprintln(w, "testsum:", m)
	}
	if len(s.problems) > 0 {
		return errors.New("the summary found problems (above)")
	}
	return nil
}

// summary is what tally counts.
type summary struct {
	passed, failed, skipped int
	byKey                   map[string]int
	raceChecked             bool // every race-build skip passed in another pass
	problems                []string
}

func tally(results []result) summary {
	s := summary{byKey: map[string]int{}}
	passedTests := map[string]bool{}
	for _, r := range results {
		if r.Test != "" && r.Action == "pass" {
			passedTests[r.Package+" "+r.Test] = true
		}
	}
	for _, r := range results {
		if r.Test == "" {
			continue
		}
		switch r.Action {
		case "pass":
			s.passed++
		case "fail":
			s.failed++
		case "skip":
			s.skipped++
			key := reasonKey(r.Reason)
			s.byKey[key]++
			if key == testenv.RaceKey && !passedTests[r.Package+" "+r.Test] {
				s.problems = append(s.problems, fmt.Sprintf("%s (%s) skipped in the race build and did not pass without the race detector", r.Test, r.Package))
			}
		}
	}
	s.raceChecked = s.byKey[testenv.RaceKey] > 0 && len(s.problems) == 0
	if s.passed == 0 {
		s.problems = append(s.problems, "no test passed")
	}
	return s
}

// String gives the two closing lines of make test.
func (s summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tests: %d passed, %d failed, %d skipped\n", s.passed, s.failed, s.skipped)
	fmt.Fprintf(&b, "skipped: %d", s.skipped)
	if len(s.byKey) > 0 {
		keys := make([]string, 0, len(s.byKey))
		for k := range s.byKey {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s: %d", k, s.byKey[k])
			if k == testenv.RaceKey && s.raceChecked {
				parts[i] += ", all passed without the race detector"
			}
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, "; "))
	}
	return b.String()
}
