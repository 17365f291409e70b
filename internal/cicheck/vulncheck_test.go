package cicheck

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatident/chatident/internal/testenv"
)

// fakeGovulncheck stands in for govulncheck: in .ci/vulncanary it reports
// GO-2021-0113 (exit 3) unless FAKE_CANARY_EXIT says otherwise; elsewhere it
// exits with FAKE_MODULE_EXIT. Each call is logged to FAKE_CALLS.
const fakeGovulncheck = `#!/bin/sh
echo "$PWD $*" >>"$FAKE_CALLS"
case "$PWD" in
*/.ci/vulncanary)
	if [ "${FAKE_CANARY_EXIT:-3}" = 3 ]; then echo "Vulnerability #1: GO-2021-0113"; fi
	exit "${FAKE_CANARY_EXIT:-3}" ;;
esac
if [ "${FAKE_MODULE_EXIT:-0}" = 3 ]; then echo "Vulnerability #1: GO-2099-0001"; fi
exit "${FAKE_MODULE_EXIT:-0}"
`

// runVulncheck runs .ci/vulncheck on the repository root with the fake
// govulncheck first on PATH and returns its output, exit code and the fake's
// calls.
func runVulncheck(t *testing.T, env ...string) (string, int, string) {
	t.Helper()
	bash := testenv.LookPath(t, "bash", "the CI scripts are bash scripts")
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "govulncheck"), []byte(fakeGovulncheck), 0o755); err != nil {
		t.Fatal(err)
	}
	calls := filepath.Join(t.TempDir(), "calls")
	cmd := exec.Command(bash, filepath.Join("..", "..", ".ci", "vulncheck"), ".")
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "FAKE_CALLS="+calls)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	c, _ := os.ReadFile(calls)
	return string(out), code, string(c)
}

// fakeDB writes a database with an index and no entries, modified on date.
func fakeDB(t *testing.T, date string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "index"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index", "db.json"), []byte(`{"modified": "`+date+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "SNAPSHOT"), []byte("test snapshot ("+date+")\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return "file://" + dir
}

func wantIn(t *testing.T, out string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestVulncheckWithoutDatabaseFails(t *testing.T) {
	out, code, calls := runVulncheck(t, "VULNDB=file:///nonexistent/chatident-vulndb")
	if code == 0 {
		t.Errorf("exit 0 without a database:\n%s", out)
	}
	wantIn(t, out, "FAILED", "nothing was scanned")
	if calls != "" {
		t.Errorf("govulncheck ran without a database: %s", calls)
	}
}

func TestVulncheckCanaryMissedFails(t *testing.T) {
	db := fakeDB(t, "2026-08-21T20:38:00Z")
	out, code, calls := runVulncheck(t, "VULNDB="+db, "FAKE_CANARY_EXIT=0")
	if code == 0 {
		t.Errorf("exit 0 when the scan missed the canary:\n%s", out)
	}
	wantIn(t, out, "did not report GO-2021-0113")
	if strings.Count(calls, "\n") != 1 {
		t.Errorf("modules scanned after the canary failed: %s", calls)
	}
}

func TestVulncheckCleanScanPasses(t *testing.T) {
	db := fakeDB(t, "2026-08-21T20:38:00Z")
	out, code, calls := runVulncheck(t, "VULNDB="+db)
	if code != 0 {
		t.Errorf("exit %d for a clean scan:\n%s", code, out)
	}
	wantIn(t, out, "database "+db+", modified 2026-08-21T20:38:00Z",
		"snapshot: test snapshot (2026-08-21T20:38:00Z)", "days old",
		"found, as it must be", "1 modules scanned against "+db)
	if strings.Count(calls, "-db "+db+" ./...") != 2 {
		t.Errorf("want the canary and the module scanned against %s; calls:\n%s", db, calls)
	}
}

func TestVulncheckFindingFails(t *testing.T) {
	db := fakeDB(t, "2026-08-21T20:38:00Z")
	out, code, _ := runVulncheck(t, "VULNDB="+db, "FAKE_MODULE_EXIT=3")
	if code == 0 {
		t.Errorf("exit 0 with a finding:\n%s", out)
	}
	wantIn(t, out, "GO-2099-0001", "calls code with a known vulnerability", "FAILED")
}

func TestVulncheckToolErrorFails(t *testing.T) {
	db := fakeDB(t, "2026-08-21T20:38:00Z")
	out, code, _ := runVulncheck(t, "VULNDB="+db, "FAKE_MODULE_EXIT=1")
	if code == 0 {
		t.Errorf("exit 0 when govulncheck failed:\n%s", out)
	}
	wantIn(t, out, "not scanned", "FAILED")
}
