package main

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chatident/chatident/examples/demo/site"
	"github.com/chatident/chatident/internal/testenv"
)

// The real-browser test of identity changes without a page load: headless
// Chromium (e2e/browser/swap.js) drives this site with the real htmx 2 (the
// copy the example serves), htmx 4 and Turbo 8 (both from e2e/browser's npm
// packages): consent withheld then given, sign-in and sign-out through
// boosted forms and Turbo Drive, swaps that change nothing, and fragments
// after a sign-out.

// browserEnv are the site's secrets for the test: obviously fake, and given
// to the browser run too, which fails if any of them reaches a response.
var browserEnv = []string{
	"CHATIDENT_WEBIM_KEY=test-key-not-a-secret-webim-swap-0123456789",
	"CHATIDENT_EDNA_KEY=test-key-not-a-secret-edna-swap-0123456789",
	"CHATIDENT_HELPCRUNCH_SECRET=test-key-not-a-secret-helpcrunch-swap-01234",
	"CHATIDENT_ZENDESK_SECRET=test-key-not-a-secret-zendesk-swap-0123456",
	"CHATIDENT_SESSION_KEY=test-key-not-a-secret-session-swap-0123456789",
}

const chromiumPath = "/usr/bin/chromium"

func TestBrowserSwaps(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	driver := filepath.Join(root, "e2e", "browser")
	var missing []string
	if _, err := os.Stat(chromiumPath); err != nil {
		missing = append(missing, chromiumPath)
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node on PATH")
	}
	for _, p := range []string{"playwright-core", "htmx.org", "@hotwired/turbo"} {
		if _, err := os.Stat(filepath.Join(driver, "node_modules", p)); err != nil {
			missing = append(missing, "e2e/browser/node_modules/"+p+" (npm ci --prefix e2e/browser)")
		}
	}
	testenv.Require(t, len(missing) == 0, "browser tools", "the browser test needs "+strings.Join(missing, ", "))

	getenv := func(k string) string {
		for _, kv := range browserEnv {
			if name, v, _ := strings.Cut(kv, "="); name == k {
				return v
			}
		}
		return ""
	}
	secrets, _, err := site.LoadSecrets(getenv, rand.Reader) // the later widgets' secrets, unused here, at random
	if err != nil {
		t.Fatal(err)
	}
	read := func(rel string) []byte {
		b, err := os.ReadFile(filepath.Join(driver, "node_modules", rel))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		label, frontend string
		lib             []byte
	}{
		{"htmx 2 (" + htmxVersion + ")", frontendHTMX, nil},
		{"htmx 4", frontendHTMX, read("htmx.org/dist/htmx.min.js")},
		{"Turbo 8", frontendTurbo, read("@hotwired/turbo/dist/turbo.es2017-umd.js")},
	} {
		t.Run(tc.label, func(t *testing.T) {
			app, err := newApp(config{Secrets: secrets, Frontend: tc.frontend, Library: tc.lib,
				Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(app)
			defer srv.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			node := exec.CommandContext(ctx, "node", filepath.Join(driver, "swap.js"), srv.URL, tc.label)
			node.Dir = driver
			node.Env = append(os.Environ(), browserEnv...)
			node.Cancel = func() error { return node.Process.Signal(syscall.SIGTERM) }
			node.WaitDelay = 10 * time.Second
			out, err := node.CombinedOutput()
			for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
				t.Log("browser: " + line)
			}
			if err != nil {
				t.Fatalf("browser run failed (%v); its output above says which checks", err)
			}
		})
	}
}

// htmxVersion is the version of static/htmx.min.js.
const htmxVersion = "2.0.11"

// testWriter sends the site's log lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
