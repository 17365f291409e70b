package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestApp walks the example as a person would: sign in, sign out, look at
// the metrics.
func TestApp(t *testing.T) {
	h, err := newApp(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	get := func(path string) string {
		t.Helper()
		res, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, res.StatusCode, err)
		}
		return string(b)
	}

	signedIn := get("/?user=ann")
	if !strings.Contains(signedIn, "<head><script") || !strings.Contains(signedIn, `"webim":{"mode":"identify","data":{"visitor":{`) {
		t.Errorf("signed-in page has no Webim identity after <head>:\n%s", signedIn)
	}
	if !strings.Contains(signedIn, "Signed in as <b>ann</b>") {
		t.Errorf("page does not show the visitor:\n%s", signedIn)
	}
	signedOut := get("/")
	if !strings.Contains(signedOut, `"webim":{"reset":true`) {
		t.Errorf("page after sign-out does not reset the identity:\n%s", signedOut)
	}
	m := get("/metrics")
	for _, want := range []string{
		`chatident_responses_total{reason="injected"} 2`,
		`chatident_resets_total{vendor="webim"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
