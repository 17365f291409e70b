// Package testenv decides what a test does when something it needs from the
// machine is missing: a tool (node, python3, promtool, Chromium), packages
// that npm installs, the test corpus that sits beside the repository, or a
// build without the race detector.
//
// Outside CI such a test skips and says what it needs. Under CI=true it
// fails instead: CI installs everything the tests need, so a missing piece
// there is a broken setup, and a skip would let the check pass without
// running.
//
// Every skip reason starts with a short key and a colon ("missing node: …",
// "race build: …"), so that a summary of a test run can count skips by key.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// RacePassEnv is set (to "1") by the test runner behind `make test` in the
// environment of the race-detector pass whose summary checks that every test
// skipped as a race build also passed in the pass without the race detector.
// Under CI=true, SkipUnderRace fails the test unless it is set.
const RacePassEnv = "CHATIDENT_RACE_SKIPS_CHECKED"

// RaceKey starts the reason of every skip of SkipUnderRace.
const RaceKey = "race build"

// CI reports whether the tests run in CI (CI=true), where nothing may be
// skipped for a missing tool or file.
func CI() bool { return os.Getenv("CI") == "true" }

// Require stops tb unless ok: it skips with "missing <what>: <how>" outside CI
// and fails with that message under CI=true. what names the missing piece
// ("node", "the shared corpus"); how says how to get it.
func Require(tb testing.TB, ok bool, what, how string) {
	tb.Helper()
	if ok {
		return
	}
	msg := "missing " + what + ": " + how
	if CI() {
		tb.Fatal(msg + " (CI=true: CI provides it, so its absence is a broken setup, not a skip)")
	}
	tb.Skip(msg)
}

// Want is Require for something a test can do without: outside CI it logs
// "missing <what>: <how>" and returns ok, so that the test goes on with the
// checks it can still make; under CI=true a missing piece fails tb at once.
func Want(tb testing.TB, ok bool, what, how string) bool {
	tb.Helper()
	if ok {
		return true
	}
	msg := "missing " + what + ": " + how
	if CI() {
		tb.Fatal(msg + " (CI=true: CI provides it, so its absence is a broken setup)")
	}
	tb.Log(msg + "; the checks that need it are not made")
	return false
}

// LookPath returns the path of the program name, or stops tb with Require
// when it is not on PATH. how says how to install it.
func LookPath(tb testing.TB, name, how string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	Require(tb, err == nil, name, how)
	return p
}

// Exists reports whether path exists, for Require and Want.
func Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// SkipUnderRace skips tb in a build with the race detector, for a check the
// detector makes meaningless, such as counting allocations (its sync.Pool
// drops items on purpose). Such tests
// must run in a pass without the race detector: `make test` runs one for
// every test named *Alloc*, and its summary fails when a test skipped here
// did not pass there. Under CI=true the skip is allowed only inside that
// runner (RacePassEnv set), so that no other way of running CI can skip it
// unchecked.
func SkipUnderRace(tb testing.TB, why string) {
	tb.Helper()
	if !strings.Contains(tb.Name(), "Alloc") {
		// The pass without the race detector selects tests by this name;
		// checked in every build, so that the mistake shows at once.
		tb.Fatalf("SkipUnderRace in %s: the name must contain \"Alloc\" for the pass without the race detector to run it", tb.Name())
	}
	if !Race {
		return
	}
	msg := fmt.Sprintf("%s: %s; the pass without the race detector runs it", RaceKey, why)
	if CI() && os.Getenv(RacePassEnv) != "1" {
		tb.Fatal(msg + ", but CI=true and this run is not one whose summary checks that (" + RacePassEnv + " unset): run `make test`")
	}
	tb.Skip(msg)
}
