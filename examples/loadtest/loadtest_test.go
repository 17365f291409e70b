package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatident/chatident/internal/testenv"
)

// TestShortRun is the load test in small: both demo sides, every body
// checked, no error allowed, and no large growth of resident memory.
func TestShortRun(t *testing.T) {
	if testing.Short() {
		t.Skip("the short load test takes a few seconds; skipped in -short mode")
	}
	cfg := config{Conns: 64, Users: 16, Identified: 0.5, Duration: 2 * time.Second,
		Warmup: 500 * time.Millisecond, Rounds: 2, CheckEvery: 1}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.deadline())
	defer cancel()
	res, err := loadTest(ctx, cfg, demoSides, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	if err := printReport(&report, res); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", report.String())

	if n := res.errors(); n != 0 {
		t.Errorf("%d errors: %q", n, res.Samples)
	}
	for i, name := range res.Sides {
		m := &res.Measured[i]
		if m.Requests == 0 || m.Identified == 0 || m.Identified == m.Requests {
			t.Errorf("%s: %d requests, %d identified: both kinds of visitor should have been measured", name, m.Requests, m.Identified)
		}
		if m.Checked != m.Requests {
			t.Errorf("%s: %d of %d bodies checked, want all with CheckEvery 1", name, m.Checked, m.Requests)
		}
	}

	warm, ok := res.memoryAt(memWarm)
	if !ok {
		t.Fatalf("no %q memory reading in %+v", memWarm, res.Memory)
	}
	testenv.Require(t, warm.Err == nil, "resident memory", fmt.Sprintf("reading it: %v", warm.Err))
	for _, name := range res.Sides {
		end, ok := res.memoryAt("end of " + name)
		if !ok || end.Err != nil {
			t.Fatalf("no readable end-of-%s memory reading: %+v", name, res.Memory)
		}
		if end.RSS > warm.RSS && end.RSS-warm.RSS > rssGrowthBound {
			t.Errorf("resident memory grew by %d MiB from the warm-up to the end of %s; the bound is %d MiB",
				(end.RSS-warm.RSS)>>20, name, rssGrowthBound>>20)
		}
	}
}

// TestCountsFailures checks that the load test sees each kind of failure:
// pages without the identity they should have, non-200 responses, dropped
// connections, and warnings in the site's log.
func TestCountsFailures(t *testing.T) {
	cfg := config{Conns: 4, Users: 2, Identified: 0.5, Duration: 300 * time.Millisecond, Rounds: 1, CheckEvery: 1}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.deadline())
	defer cancel()
	faulty := func(logFor func(string) *slog.Logger) ([2]side, error) {
		demo, err := demoSides(logFor)
		if err != nil {
			return demo, err
		}
		// The bare site, said to inject: its signed-in pages lack Webim.
		claims := side{Name: "claims", Handler: demo[1].Handler, Injects: true}
		// The wrapped site, failing some anonymous pages (sign-in always
		// carries a cookie, so it is not disturbed).
		log := logFor("flaky")
		var n atomic.Uint64
		flaky := side{Name: "flaky", Injects: true, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && r.Header.Get("Cookie") == "" {
				switch k := n.Add(1); {
				case k%5 == 0:
					http.Error(w, "failing on purpose", http.StatusInternalServerError)
					return
				case k%7 == 0:
					panic(http.ErrAbortHandler) // drops the connection
				case k%11 == 0:
					log.WarnContext(r.Context(), "warning on purpose")
				}
			}
			demo[0].Handler.ServeHTTP(w, r)
		})}
		return [2]side{claims, flaky}, nil
	}
	res, err := loadTest(ctx, cfg, faulty, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("exit status", func(t *testing.T) {
		var report strings.Builder
		args := []string{"-conns", "4", "-users", "2", "-duration", "200ms", "-warmup", "0", "-rounds", "1"}
		err := runSides(context.Background(), args, faulty, &report, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "errors") {
			t.Errorf("run with failing requests returned %v, want an error (a non-zero exit)", err)
		}
		if !strings.Contains(report.String(), "errors: ") {
			t.Errorf("no report printed before the error:\n%s", report.String())
		}
	})
	claims, flaky := res.Measured[0].Errors, res.Measured[1].Errors
	if claims.Body == 0 {
		t.Errorf("pages without webim_visitor were not counted: %+v", claims)
	}
	if claims.Status != 0 || claims.Transport != 0 {
		t.Errorf("the claiming side had errors other than its bodies: %+v", claims)
	}
	if flaky.Status == 0 || flaky.Transport == 0 {
		t.Errorf("500s and dropped connections were not both counted: %+v", flaky)
	}
	if flaky.Body != 0 {
		t.Errorf("the flaky side's pages are right when served, yet %d were counted wrong", flaky.Body)
	}
	if res.LogRecords == 0 {
		t.Errorf("the site's warnings were not counted")
	}
	if res.errors() == 0 || len(res.Samples) == 0 {
		t.Errorf("a failing run reports %d errors and samples %q", res.errors(), res.Samples)
	}
}

func TestCheckPage(t *testing.T) {
	const (
		anon     = "<html><head></head><body>Sign in</body></html>"
		signed   = "<html><head></head><body>Signed in as <strong>Ada</strong></body></html>"
		injected = `<html><head><script data-chatident='{"v":1,"vendors":{"webim":{"mode":"identify","data":{"visitor":{"fields":{}}}}}}'>…</script></head><body>Signed in as <strong>Ada</strong></body></html>`
		stray    = `<html><head><script data-chatident='{"v":1,"vendors":{"webim":{"mode":"identify","data":{"visitor":{}}}}}'>…</script></head><body>Sign in</body></html>`
	)
	wrapped := &server{side: side{Name: "wrapped", Injects: true}}
	bare := &server{side: side{Name: "bare"}}
	for _, tc := range []struct {
		s          *server
		page       string
		identified bool
		ok         bool
	}{
		{wrapped, injected, true, true},
		{wrapped, anon, false, true},
		{wrapped, signed, true, false},    // no identity script
		{wrapped, stray, false, false},    // an anonymous visitor identified
		{wrapped, injected, false, false}, // someone's page served to a stranger
		{wrapped, anon, true, false},      // the session did not work
		{bare, signed, true, true},
		{bare, anon, false, true},
		{bare, injected, true, false},
		{bare, stray, false, false},
	} {
		got := tc.s.checkPage([]byte(tc.page), tc.identified)
		if (got == "") != tc.ok {
			t.Errorf("%s, identified %v, %q: problem %q, want ok %v", tc.s.Name, tc.identified, tc.page, got, tc.ok)
		}
	}
}

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags(nil, io.Discard)
	if err != nil || cfg != defaultConfig() {
		t.Fatalf("no flags: %+v, %v; want the defaults", cfg, err)
	}
	if cfg.Conns != 256 || cfg.Duration != 10*time.Second || cfg.Identified != 0.5 {
		t.Errorf("defaults %+v: want 256 connections, 10s a side, half identified", cfg)
	}
	cfg, err = parseFlags([]string{"-conns", "64", "-duration", "2s", "-rounds", "4", "-identified", "0"}, io.Discard)
	if err != nil || cfg.Conns != 64 || cfg.Duration != 2*time.Second || cfg.Rounds != 4 || cfg.Identified != 0 || cfg.round() != 500*time.Millisecond {
		t.Errorf("parsed %+v, %v", cfg, err)
	}
	for _, args := range [][]string{
		{"-conns", "0"}, {"-conns", "5000"}, {"-users", "0"}, {"-identified", "1.5"}, {"-identified", "NaN"},
		{"-duration", "11m"}, {"-duration", "300ms", "-rounds", "5"}, {"-rounds", "0"}, {"-warmup", "-1s"},
		{"-check-every", "0"}, {"-serve", "-1s"}, {"-serve", "11m"}, {"-nope"}, {"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	if err := run(context.Background(), []string{"-conns", "-3"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "-conns") {
		t.Errorf("run -conns -3: %v", err)
	}
	if err := run(context.Background(), []string{"-h"}, io.Discard, io.Discard); err != nil {
		t.Errorf("run -h: %v", err)
	}
}
