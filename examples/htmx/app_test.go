package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatident/chatident/examples/demo/site"
)

func testSecrets(t *testing.T) site.Secrets {
	t.Helper()
	env := map[string]string{
		"CHATIDENT_WEBIM_KEY":         "test-key-not-a-secret-webim-app-0123456789",
		"CHATIDENT_EDNA_KEY":          "test-key-not-a-secret-edna-app-0123456789",
		"CHATIDENT_HELPCRUNCH_SECRET": "test-key-not-a-secret-helpcrunch-app-0123",
		"CHATIDENT_ZENDESK_SECRET":    "test-key-not-a-secret-zendesk-app-0123456",
		"CHATIDENT_SESSION_KEY":       "test-key-not-a-secret-session-app-0123456789",
	}
	s, _, err := site.LoadSecrets(func(k string) string { return env[k] }, rand.Reader) // the later widgets' secrets, unused here, at random
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// client is a browser-like client of the site: cookies, and the headers
// Chromium sends for a document or for an htmx request.
type client struct {
	t   *testing.T
	srv *httptest.Server
	c   *http.Client
}

func newClient(t *testing.T, frontend string, lib []byte) *client {
	t.Helper()
	app, err := newApp(config{Secrets: testSecrets(t), Frontend: frontend, Library: lib})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, srv: srv, c: &http.Client{Jar: jar}}
}

var (
	asDocument = map[string]string{"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "same-origin"}
	asHTMX     = map[string]string{"HX-Request": "true", "Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin"}
	asBoosted  = map[string]string{"HX-Request": "true", "HX-Boosted": "true", "Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin"}
)

func (c *client) do(method, path string, header map[string]string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, string(b)
}

func TestDocumentsGetTheScriptFragmentsDoNot(t *testing.T) {
	c := newClient(t, frontendHTMX, nil)
	resp, page := c.do("GET", "/", asDocument, nil)
	if resp.StatusCode != 200 || strings.Count(page, "<script data-chatident=") != 1 {
		t.Fatalf("document: %d, want one chatident script: %s", resp.StatusCode, page)
	}
	if !strings.Contains(page, `hx-boost="true"`) || !strings.Contains(page, `src="/static/frontend.js"`) {
		t.Errorf("the page is not boosted or does not load htmx")
	}
	// The policy allows the page script by its hash, which chatident then
	// need not add.
	csp := resp.Header.Get("Content-Security-Policy")
	if strings.Count(csp, "'sha256-") != 1 {
		t.Errorf("CSP %q, want the page script's one hash", csp)
	}
	for _, h := range []map[string]string{asHTMX, asBoosted} {
		for _, path := range []string{"/", "/fragments/inbox", "/inbox"} {
			resp, body := c.do("GET", path, h, nil)
			if strings.Contains(body, "data-chatident") || len(resp.Header["Set-Cookie"]) != 0 {
				t.Errorf("GET %s as %v: got the script or a cookie", path, h)
			}
		}
	}
	lib, js := c.do("GET", libraryURL, nil, nil)
	if lib.StatusCode != 200 || !bytes.Equal([]byte(js), htmxJS) {
		t.Errorf("library: %d, %d bytes", lib.StatusCode, len(js))
	}
}

func TestSignInConsentAndIdentity(t *testing.T) {
	c := newClient(t, frontendHTMX, nil)
	form := url.Values{"user_id": {"u-1"}, "name": {"Ann"}, "email": {"ann@example.com"}}
	resp, body := c.do("POST", "/login", asBoosted, form)
	if resp.StatusCode != 200 || !strings.Contains(body, "Signed in as <strong>Ann</strong>") {
		t.Fatalf("boosted sign-in: %d %s", resp.StatusCode, body)
	}
	_, id := c.do("GET", "/_chatident/identity", nil, nil)
	if id != `{"v":1,"withheld":true,"vendors":{}}` {
		t.Errorf("identity without consent: %s", id)
	}
	c.do("POST", "/consent", asBoosted, url.Values{})
	_, id = c.do("GET", "/_chatident/identity", nil, nil)
	if !strings.Contains(id, `"webim":{"mode":"identify"`) || strings.Contains(id, "withheld") {
		t.Errorf("identity with consent: %s", id)
	}
	c.do("POST", "/logout", asBoosted, url.Values{})
	_, id = c.do("GET", "/_chatident/identity", nil, nil)
	if !strings.Contains(id, `"webim":{"reset":true`) {
		t.Errorf("identity after sign-out: %s", id)
	}
	// A sign-in that cannot be kept gets the form back with the reason.
	resp, body = c.do("POST", "/login", asBoosted, url.Values{"user_id": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "user id is required") {
		t.Errorf("empty user id: %d", resp.StatusCode)
	}
	// Cross-site posts are refused.
	resp, _ = c.do("POST", "/login", map[string]string{"Sec-Fetch-Site": "cross-site"}, form)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site sign-in: %d", resp.StatusCode)
	}
}

func TestTurboFrontEnd(t *testing.T) {
	if _, err := newApp(config{Secrets: testSecrets(t), Frontend: frontendTurbo}); err == nil {
		t.Error("Turbo without its library: no error")
	}
	if _, err := newApp(config{Secrets: testSecrets(t), Frontend: "react"}); err == nil {
		t.Error("unknown front end: no error")
	}
	c := newClient(t, frontendTurbo, []byte("/* turbo */"))
	_, page := c.do("GET", "/", asDocument, nil)
	if !strings.Contains(page, `<turbo-frame id="inbox" src="/fragments/inbox">`) || strings.Contains(page, "hx-boost") {
		t.Errorf("Turbo page: %s", page)
	}
	frame := map[string]string{"Turbo-Frame": "inbox", "X-Turbo-Request-Id": "1", "Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"}
	_, body := c.do("GET", "/fragments/inbox", frame, nil)
	if !strings.HasPrefix(body, `<turbo-frame id="inbox">`) || strings.Contains(body, "data-chatident") {
		t.Errorf("Turbo frame: %s", body)
	}
}

// The command starts, serves and stops.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, func(string) string { return "" }, &syncWriter{w: &logs})
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
}

// syncWriter serialises writes to w: the server logs from its own goroutine.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
