package main_test

// The real-browser end-to-end test of the demo. It uses the demo only as a
// user would: it builds the binary, starts it on a free port with fake
// secrets, and lets headless Chromium (e2e/browser/run.js, playwright-core
// driving the system's /usr/bin/chromium) sign in, check every stand-in
// widget, take a screenshot, sign out and reload.
//
// It is an external test package on purpose: nothing here can reach into the
// demo's code, so the test checks the demo's contract and nothing else.

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chatident/chatident/internal/testenv"
)

// buildTimeout bounds building the demo. With a cold build cache on two
// shared cores (CI) that alone took over a minute, so it has its own bound.
const buildTimeout = 4 * time.Minute

// browserTestTimeout bounds starting the demo and the browser run; a normal
// run takes about ten seconds.
const browserTestTimeout = 2 * time.Minute

// chromiumPath is where the Debian package puts the browser; CI installs it.
const chromiumPath = "/usr/bin/chromium"

// browserDemoEnv are the demo's secrets for the test: obviously fake, and
// passed to the browser run too, which fails if any of them reaches a page.
var browserDemoEnv = []string{
	"CHATIDENT_WEBIM_KEY=test-key-not-a-secret-webim-0123456789abcdef",
	"CHATIDENT_EDNA_KEY=test-key-not-a-secret-edna-0123456789abcdef",
	"CHATIDENT_HELPCRUNCH_SECRET=test-key-not-a-secret-helpcrunch-0123456789abcdef",
	"CHATIDENT_ZENDESK_SECRET=test-key-not-a-secret-zendesk-0123456789abcdef",
	"CHATIDENT_SESSION_KEY=test-key-not-a-secret-session-0123456789abcdef",
	"CHATIDENT_INTERCOM_SECRET=test-key-not-a-secret-intercom-0123456789abcdef",
	"CHATIDENT_CRISP_SECRET=test-key-not-a-secret-crisp-0123456789abcdef",
	"CHATIDENT_TAWK_SECRET=test-key-not-a-secret-tawk-0123456789abcdef",
	"CHATIDENT_CHATWOOT_SECRET=test-key-not-a-secret-chatwoot-0123456789abcdef",
	"CHATIDENT_HELPSCOUT_SECRET=test-key-not-a-secret-helpscout-0123456789abcdef",
	"CHATIDENT_FRONT_SECRET=test-key-not-a-secret-front-0123456789abcdef",
	"CHATIDENT_DRIFT_SECRET=test-key-not-a-secret-drift-0123456789abcdef",
	"CHATIDENT_HUBSPOT_TOKEN=test-key-not-a-secret-hubspot-0123456789abcdef",
}

// listenLine is the demo's one log line that names its URL.
var listenLine = regexp.MustCompile(`chatident demo listening on (http://127\.0\.0\.1:[0-9]+)`)

func TestBrowserEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("browser end-to-end test skipped in -short mode")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	driver := filepath.Join(root, "e2e", "browser")
	requireBrowserTools(t, driver)

	bin := buildDemoBinary(t)

	ctx, cancel := context.WithTimeout(context.Background(), browserTestTimeout)
	// A cleanup, not a defer: cleanups run last-in first-out, so the demo's
	// own cleanup (registered later) stops it gracefully before this cancel
	// would kill it.
	t.Cleanup(cancel)
	url := startDemo(ctx, t, bin)

	shot := filepath.Join(t.TempDir(), "screenshot-demo.png")
	if os.Getenv("UPDATE_SCREENSHOT") == "1" {
		shot = filepath.Join(root, "docs", "screenshot-demo.png")
		if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil {
			t.Fatal(err)
		}
	}

	node := exec.CommandContext(ctx, "node", filepath.Join(driver, "run.js"), url, shot)
	node.Dir = driver
	node.Env = append(os.Environ(), browserDemoEnv...)
	// On timeout, SIGTERM first: playwright-core then closes Chromium (which
	// runs in its own process group) instead of leaving it behind.
	node.Cancel = func() error { return node.Process.Signal(syscall.SIGTERM) }
	node.WaitDelay = 10 * time.Second
	out := logLines(t, "browser")
	node.Stdout, node.Stderr = out, out
	err = node.Run()
	out.Close()
	if ctx.Err() != nil {
		t.Fatalf("browser run stopped after %v: %v", browserTestTimeout, ctx.Err())
	}
	if err != nil {
		t.Fatalf("browser run failed (%v); its output above says which checks", err)
	}
	if _, err := os.Stat(shot); err != nil {
		t.Errorf("browser run passed but wrote no screenshot: %v", err)
	} else {
		t.Logf("screenshot: %s", shot)
	}
}

// requireBrowserTools skips the test when the browser, node or the driver's
// packages are missing, except in CI, which installs them all: there a
// missing tool is a broken setup and fails the test.
func requireBrowserTools(t *testing.T, driver string) {
	t.Helper()
	var missing []string
	if _, err := os.Stat(chromiumPath); err != nil {
		missing = append(missing, chromiumPath+" (apt-get install chromium)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node on PATH")
	}
	if _, err := os.Stat(filepath.Join(driver, "node_modules", "playwright-core")); err != nil {
		missing = append(missing, "e2e/browser/node_modules (npm ci --prefix e2e/browser)")
	}
	testenv.Require(t, len(missing) == 0, "browser tools", "the browser end-to-end test needs "+strings.Join(missing, ", "))
}

// buildDemoBinary builds the demo into a temporary directory.
func buildDemoBinary(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "demo")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/demo (bound %v): %v\n%s", buildTimeout, err, out)
	}
	return bin
}

// startDemo runs the demo on a free loopback port and returns its URL. The
// demo's output goes to the test log, and t.Cleanup stops it.
func startDemo(ctx context.Context, t *testing.T, bin string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), browserDemoEnv...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the demo: %v", err)
	}

	found := make(chan string, 1)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			t.Log("demo: " + line)
			if m := listenLine.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		// Keep draining so the demo never blocks on a full pipe.
		_, _ = io.Copy(io.Discard, pr)
	}()
	exited := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		pw.Close()
		exited <- err
	}()
	t.Cleanup(func() {
		// The demo shuts down gracefully on SIGTERM; kill it if it does not.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		var err error
		select {
		case err = <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			err = <-exited
		}
		<-scanned
		if err != nil {
			t.Logf("demo exit: %v", err)
		}
	})

	select {
	case url := <-found:
		return url
	case err := <-exited:
		exited <- err // for the cleanup
		t.Fatalf("the demo exited before it listened: %v", err)
	case <-ctx.Done():
		t.Fatalf("the demo did not log %q in time: %v", "chatident demo listening on …", ctx.Err())
	}
	return ""
}

// lineLogger writes each line it receives to t.Log with a prefix, so the
// browser run's checks show up in the test's output as they happen.
type lineLogger struct {
	t      *testing.T
	prefix string
	pw     *io.PipeWriter
	done   chan struct{}
}

func logLines(t *testing.T, prefix string) *lineLogger {
	pr, pw := io.Pipe()
	l := &lineLogger{t: t, prefix: prefix, pw: pw, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			t.Log(prefix + ": " + sc.Text())
		}
		if err := sc.Err(); err != nil && !errors.Is(err, io.ErrClosedPipe) {
			t.Logf("%s: reading output: %v", prefix, err)
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	return l
}

func (l *lineLogger) Write(p []byte) (int, error) { return l.pw.Write(p) }

// Close ends the stream and waits until every line has been logged.
func (l *lineLogger) Close() {
	l.pw.Close()
	<-l.done
}
