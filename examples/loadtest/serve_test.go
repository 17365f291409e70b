package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServe checks what another load tool gets: each side's URL and a
// signed-in user's Cookie header that works there.
func TestServe(t *testing.T) {
	cfg := defaultConfig()
	cfg.Serve = time.Minute // ended by cancel once the pages are checked
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := serve(ctx, cfg, demoSides, pw)
		pw.CloseWithError(err)
		done <- err
	}()

	lines := bufio.NewScanner(pr)
	next := func() string {
		if !lines.Scan() {
			t.Fatalf("serve's output ended early: %v", lines.Err())
		}
		return lines.Text()
	}
	for _, want := range []struct {
		name    string
		injects bool
	}{{"wrapped", true}, {"bare", false}} {
		name, url, _ := strings.Cut(next(), " ")
		cookieLine := next()
		cookie, ok := strings.CutPrefix(cookieLine, want.name+" Cookie: ")
		if name != want.name || !strings.HasPrefix(url, "http://127.0.0.1:") || !ok {
			t.Fatalf("got %q %q and %q, want %s's URL and Cookie header", name, url, cookieLine, want.name)
		}
		for _, signedIn := range []bool{true, false} {
			req, err := http.NewRequest(http.MethodGet, url, nil)
			if err != nil {
				t.Fatal(err)
			}
			if signedIn {
				req.Header.Set("Cookie", cookie)
			}
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("%s GET / (signed in %v): %d, %v", name, signedIn, resp.StatusCode, err)
			}
			s := &server{side: side{Name: name, Injects: want.injects}}
			if problem := s.checkPage(body, signedIn); problem != "" {
				t.Errorf("%s, signed in %v: %s", name, signedIn, problem)
			}
		}
	}
	if line := next(); !strings.HasPrefix(line, "serving for ") {
		t.Errorf("got %q, want the serving line", line)
	}
	cancel()
	go io.Copy(io.Discard, pr)
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}
