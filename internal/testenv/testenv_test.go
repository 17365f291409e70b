package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// helperEnv names the case TestHelperCases runs when the tests re-run this
// test binary: only a child process can show that a test skips or fails.
const helperEnv = "TESTENV_HELPER_CASE"

// TestHelperCases is not a test of its own: it does what helperEnv names, in
// a child process started by runCase, and passes when run directly.
func TestHelperCases(t *testing.T) {
	switch os.Getenv(helperEnv) {
	case "":
		return
	case "require-missing":
		Require(t, false, "frobnicator", "apt-get install frobnicator")
		t.Log("after Require")
	case "require-present":
		Require(t, true, "frobnicator", "apt-get install frobnicator")
		t.Log("after Require")
	case "want-missing":
		if Want(t, false, "frobnicator", "apt-get install frobnicator") {
			t.Error("Want returned true for a missing piece")
		}
		t.Log("after Want")
	case "lookpath-missing":
		LookPath(t, "chatident-no-such-program", "it does not exist")
		t.Log("after LookPath")
	case "race-skip":
		SkipUnderRace(t, "allocation counts")
		t.Log("after SkipUnderRace")
	default:
		t.Fatalf("unknown case %q", os.Getenv(helperEnv))
	}
}

// runCase runs TestHelperCases (or the test named by run) in a child process
// with the case and the extra environment, and returns its verbose output.
func runCase(t *testing.T, run, name string, env ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+run+"$", "-test.v")
	cmd.Env = append(os.Environ(), "CI=", RacePassEnv+"=", helperEnv+"="+name)
	cmd.Env = append(cmd.Env, env...)
	out, _ := cmd.CombinedOutput() // the output says how it ended
	return string(out)
}

func wantIn(t *testing.T, out string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func wantNotIn(t *testing.T, out string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(out, s) {
			t.Errorf("output has %q:\n%s", s, out)
		}
	}
}

func TestRequireSkipsOutsideCI(t *testing.T) {
	out := runCase(t, "TestHelperCases", "require-missing")
	wantIn(t, out, "--- SKIP: TestHelperCases", "missing frobnicator: apt-get install frobnicator")
	wantNotIn(t, out, "after Require", "--- FAIL")
}

func TestRequireFailsUnderCI(t *testing.T) {
	out := runCase(t, "TestHelperCases", "require-missing", "CI=true")
	wantIn(t, out, "--- FAIL: TestHelperCases", "missing frobnicator: apt-get install frobnicator", "broken setup")
	wantNotIn(t, out, "after Require", "--- SKIP")
}

func TestRequirePresentRuns(t *testing.T) {
	for _, ci := range []string{"CI=", "CI=true"} {
		out := runCase(t, "TestHelperCases", "require-present", ci)
		wantIn(t, out, "--- PASS: TestHelperCases", "after Require")
	}
}

func TestWantLogsOutsideCIAndFailsUnderCI(t *testing.T) {
	out := runCase(t, "TestHelperCases", "want-missing")
	wantIn(t, out, "--- PASS: TestHelperCases", "missing frobnicator", "after Want")
	out = runCase(t, "TestHelperCases", "want-missing", "CI=true")
	wantIn(t, out, "--- FAIL: TestHelperCases", "missing frobnicator")
	wantNotIn(t, out, "after Want")
}

func TestLookPath(t *testing.T) {
	out := runCase(t, "TestHelperCases", "lookpath-missing")
	wantIn(t, out, "--- SKIP: TestHelperCases", "missing chatident-no-such-program: it does not exist")
	out = runCase(t, "TestHelperCases", "lookpath-missing", "CI=true")
	wantIn(t, out, "--- FAIL: TestHelperCases", "missing chatident-no-such-program")
	wantNotIn(t, out, "after LookPath")

	if p := LookPath(t, "sh", "it is in every base system"); p == "" {
		t.Errorf("LookPath(sh) = %q", p)
	}
}

// TestSkipUnderRace checks the race skip in this build: with the race
// detector it must skip outside CI, and under CI=true only where the runner
// checks the skipped test ran without the detector; without the detector it
// must not skip at all. (make test runs this package both ways.)
func TestSkipUnderRace(t *testing.T) {
	run := "TestHelperCases"
	if !Race {
		out := runCase(t, run, "race-skip", "CI=true")
		wantIn(t, out, "--- FAIL: TestHelperCases", "must contain \"Alloc\"")
		out = runCase(t, "TestHelperAllocCase", "race-skip", "CI=true")
		wantIn(t, out, "--- PASS: TestHelperAllocCase", "after SkipUnderRace")
		return
	}
	out := runCase(t, "TestHelperAllocCase", "race-skip")
	wantIn(t, out, "--- SKIP: TestHelperAllocCase", RaceKey+": allocation counts")
	wantNotIn(t, out, "after SkipUnderRace")
	out = runCase(t, "TestHelperAllocCase", "race-skip", "CI=true")
	wantIn(t, out, "--- FAIL: TestHelperAllocCase", RacePassEnv)
	out = runCase(t, "TestHelperAllocCase", "race-skip", "CI=true", RacePassEnv+"=1")
	wantIn(t, out, "--- SKIP: TestHelperAllocCase", RaceKey+": allocation counts")
	out = runCase(t, run, "race-skip")
	wantIn(t, out, "--- FAIL: TestHelperCases", "must contain \"Alloc\"")
}

// TestHelperAllocCase is TestHelperCases under a name that SkipUnderRace
// accepts.
func TestHelperAllocCase(t *testing.T) { TestHelperCases(t) }
