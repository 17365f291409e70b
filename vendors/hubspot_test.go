package vendors

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hubSpotStandIn is a local stand-in of HubSpot's token API. It records
// every request; answer decides each response; with hold set, a request
// waits until release is closed or the client goes away.
type hubSpotStandIn struct {
	srv     *httptest.Server
	mu      sync.Mutex
	reqs    []hubSpotSeen
	calls   atomic.Int32
	answer  func(n int32, w http.ResponseWriter)
	hold    bool
	release chan struct{}
	arrived chan struct{} // receives once per request, without blocking
}

type hubSpotSeen struct {
	method, path, auth, contentType string
	body                            []byte
}

func newHubSpotStandIn(t *testing.T, answer func(n int32, w http.ResponseWriter)) *hubSpotStandIn {
	s := &hubSpotStandIn{answer: answer, release: make(chan struct{}), arrived: make(chan struct{}, 1000)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n := s.calls.Add(1)
		s.mu.Lock()
		s.reqs = append(s.reqs, hubSpotSeen{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), body})
		s.mu.Unlock()
		s.arrived <- struct{}{}
		if s.hold {
			select {
			case <-s.release:
			case <-r.Context().Done():
				return
			}
		}
		s.answer(n, w)
	}))
	t.Cleanup(func() {
		select {
		case <-s.release:
		default:
			close(s.release)
		}
		s.srv.Close()
	})
	return s
}

// tokenAnswer answers 200 {"token": "tok-<n>"}: a new token per call, as
// HubSpot does.
func tokenAnswer(n int32, w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"token":"tok-`+string(rune('0'+n%10))+`"}`)
}

// fakeClock is a clock tests move by hand.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

const hubSpotTestToken = "pat-na1-test-token-0000"

// syncBuffer is a log buffer the token client's goroutines write while a
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// newHubSpotTest returns a validated HubSpot pointed at s, with a fake
// clock and a log buffer.
func newHubSpotTest(t *testing.T, s *hubSpotStandIn, h HubSpot) (*HubSpot, *hubSpotTokens, *fakeClock, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	h.PortalID, h.Token, h.APIBase = "123456", []byte(hubSpotTestToken), s.srv.URL
	h.Logger = slog.New(slog.NewTextHandler(logs, nil))
	if _, err := h.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{}
	clock.ns.Store(testNow.UnixNano())
	tk := h.client()
	tk.now = clock.now
	return &h, tk, clock, logs
}

// The exact request is the vector: method, path, headers and body bytes.
func TestHubSpotTokenRequest(t *testing.T) {
	s := newHubSpotStandIn(t, tokenAnswer)
	h, _, _, _ := newHubSpotTest(t, s, HubSpot{Names: func(v Visitor) (string, string) { return v.Attributes["first"], v.Attributes["last"] }})
	d, err := h.visitorData(context.Background(), Visitor{ID: "1", Email: "visitor@example.com",
		Attributes: map[string]string{"first": "Ann", "last": "<Lee>"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(mustJS(t, d)); got != `{"email":"visitor@example.com","token":"tok-1"}` {
		t.Errorf("data = %s", got)
	}
	if len(s.reqs) != 1 {
		t.Fatalf("requests = %d", len(s.reqs))
	}
	r := s.reqs[0]
	// encoding/json writes < and > as \u003c and \u003e: still the same JSON string.
	const body = `{"email":"visitor@example.com","firstName":"Ann","lastName":"\u003cLee\u003e"}`
	if r.method != "POST" || r.path != "/visitor-identification/v3/tokens/create" || r.auth != "Bearer "+hubSpotTestToken ||
		r.contentType != "application/json" || string(r.body) != body {
		t.Errorf("request = %s %s auth %q type %q body %s\nwant POST /visitor-identification/v3/tokens/create, body %s",
			r.method, r.path, r.auth, r.contentType, r.body, body)
	}
	// Without Names only the e-mail goes.
	h2, _, _, _ := newHubSpotTest(t, s, HubSpot{})
	if _, err := h2.visitorData(context.Background(), Visitor{ID: "1", Email: "visitor@example.com", Name: "Ann Lee"}); err != nil {
		t.Fatal(err)
	}
	if got := string(s.reqs[1].body); got != `{"email":"visitor@example.com"}` {
		t.Errorf("body = %s", got)
	}
	// No e-mail, no call: the anonymous widget.
	if d, err := h2.visitorData(context.Background(), Visitor{ID: "1"}); d != nil || err != nil || s.calls.Load() != 2 {
		t.Errorf("no e-mail: %v, %v, %d calls", d, err, s.calls.Load())
	}
}

func TestHubSpotCache(t *testing.T) {
	s := newHubSpotStandIn(t, tokenAnswer)
	_, tk, clock, _ := newHubSpotTest(t, s, HubSpot{CacheSize: 2, CacheTTL: time.Hour})
	ctx := context.Background()
	get := func(email string) string {
		tok, reason := tk.token(ctx, email, "", "")
		if reason != "" {
			t.Fatalf("no token for %q", email)
		}
		return tok
	}
	a := get("a@example.com")
	if get("a@example.com") != a || s.calls.Load() != 1 {
		t.Errorf("second page of a visitor called the API (%d calls)", s.calls.Load())
	}
	// Keyed by the exact bytes: another case is another visitor.
	if get("A@example.com") == a || s.calls.Load() != 2 {
		t.Errorf("A@ shares a@'s token (%d calls)", s.calls.Load())
	}
	// Bounded: a third visitor pushes out the least recently used (A@).
	get("a@example.com")
	get("b@example.com")
	if len(tk.entries) != 2 || tk.lru.Len() != 2 {
		t.Errorf("cache holds %d entries, want 2", len(tk.entries))
	}
	get("a@example.com")
	if s.calls.Load() != 3 {
		t.Errorf("a@ was evicted instead of A@ (%d calls)", s.calls.Load())
	}
	get("A@example.com")
	if s.calls.Load() != 4 {
		t.Errorf("A@ still cached (%d calls)", s.calls.Load())
	}
	// Expired tokens are fetched again.
	clock.advance(time.Hour)
	get("b@example.com")
	if s.calls.Load() != 5 {
		t.Errorf("expired token reused (%d calls)", s.calls.Load())
	}
}

// Concurrent first pages of one visitor make one API call and all get its
// token.
func TestHubSpotConcurrentFirstPagesOneCall(t *testing.T) {
	s := newHubSpotStandIn(t, tokenAnswer)
	s.hold = true
	_, tk, _, _ := newHubSpotTest(t, s, HubSpot{Timeout: 5 * time.Second})
	const pages = 50
	var started, done sync.WaitGroup
	toks := make([]string, pages)
	started.Add(pages)
	done.Add(pages)
	for i := range pages {
		go func() {
			defer done.Done()
			started.Done()
			toks[i], _ = tk.token(context.Background(), "same@example.com", "", "")
		}()
	}
	started.Wait()
	<-s.arrived
	time.Sleep(50 * time.Millisecond) // let every page reach the wait
	close(s.release)
	done.Wait()
	if n := s.calls.Load(); n != 1 {
		t.Errorf("%d API calls for one visitor, want 1", n)
	}
	for i, tok := range toks {
		if tok != "tok-1" {
			t.Fatalf("page %d got %q", i, tok)
		}
	}
}

// A stand-in that never answers delays no page beyond the budget (checked
// against a coarse bound of ten budgets, not a timing assert), and while
// the circuit is open no page calls it at all.
func TestHubSpotSlowAPINeverDelaysPages(t *testing.T) {
	s := newHubSpotStandIn(t, tokenAnswer)
	s.hold = true // answers only after release: never, in this test
	const budget = 100 * time.Millisecond
	h, tk, clock, logs := newHubSpotTest(t, s, HubSpot{Timeout: budget, RetryAfter: time.Minute})
	var wg sync.WaitGroup
	var slow atomic.Int32
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			d, err := h.visitorData(context.Background(), Visitor{ID: "1", Email: "slow@example.com"})
			if d != nil || err != nil {
				t.Errorf("got %v, %v, want the anonymous widget", d, err)
			}
			if time.Since(start) > 10*budget {
				slow.Add(1)
			}
		}()
	}
	wg.Wait()
	if slow.Load() > 0 {
		t.Errorf("%d pages waited more than ten budgets", slow.Load())
	}
	if n := s.calls.Load(); n != 1 {
		t.Errorf("%d API calls, want 1 shared call", n)
	}
	waitFor(t, func() bool { return strings.Contains(logs.String(), "reason=timeout") })
	// Circuit open: the next page does not wait and makes no call.
	if _, reason := tk.token(context.Background(), "other@example.com", "", ""); reason != HubSpotReasonCircuitOpen || s.calls.Load() != 1 {
		t.Errorf("circuit open: reason %q, %d calls", reason, s.calls.Load())
	}
	c := tk.failureCounts()
	if c[HubSpotReasonTimeout] != 10 || c[HubSpotReasonCircuitOpen] != 1 {
		t.Errorf("failures = %v", c)
	}
	if strings.Count(logs.String(), "reason=timeout") != 1 || strings.Contains(logs.String(), "slow@example.com") {
		t.Errorf("log = %s", logs)
	}
	// After RetryAfter the API is tried again.
	clock.advance(time.Minute)
	close(s.release)
	if tok, reason := tk.token(context.Background(), "other@example.com", "", ""); reason != "" || tok == "" || s.calls.Load() != 2 {
		t.Errorf("after RetryAfter: %q %q, %d calls", tok, reason, s.calls.Load())
	}
}

// A page whose own request ends stops waiting at once.
func TestHubSpotCanceledPage(t *testing.T) {
	s := newHubSpotStandIn(t, tokenAnswer)
	s.hold = true
	_, tk, _, _ := newHubSpotTest(t, s, HubSpot{Timeout: 5 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-s.arrived; cancel() }()
	if _, reason := tk.token(ctx, "gone@example.com", "", ""); reason != HubSpotReasonTimeout {
		t.Error("token for a canceled page")
	}
	// The call itself goes on for the other pages of the visitor.
	close(s.release)
	waitFor(t, func() bool { tk.mu.Lock(); defer tk.mu.Unlock(); return len(tk.entries) == 1 })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestHubSpotFailures(t *testing.T) {
	status := func(code int, body string) func(int32, http.ResponseWriter) {
		return func(_ int32, w http.ResponseWriter) {
			if code == http.StatusFound {
				w.Header().Set("Location", "https://evil.example/")
			}
			w.WriteHeader(code)
			_, _ = io.WriteString(w, body)
		}
	}
	for _, tc := range []struct {
		name   string
		answer func(int32, http.ResponseWriter)
		reason string
	}{
		{"403 plan", status(403, `{"status":"error","category":"MISSING_SCOPES"}`), HubSpotReasonForbidden},
		{"401 token", status(401, `{}`), HubSpotReasonRejected},
		{"429", status(429, `{}`), HubSpotReasonRejected},
		{"500", status(500, `oops`), HubSpotReasonServerError},
		{"503", status(503, ``), HubSpotReasonServerError},
		{"bad json", status(200, `{"token":`), HubSpotReasonBadResponse},
		{"no token", status(200, `{"token":""}`), HubSpotReasonBadResponse},
		{"token not a string", status(200, `{"token":42}`), HubSpotReasonBadResponse},
		{"redirect", status(302, ``), HubSpotReasonBadResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newHubSpotStandIn(t, tc.answer)
			h, _, clock, logs := newHubSpotTest(t, s, HubSpot{})
			for range 2 {
				d, err := h.visitorData(context.Background(), Visitor{ID: "1", Email: "fail@example.com"})
				if d != nil || err != nil {
					t.Fatalf("got %v, %v, want the anonymous widget", d, err)
				}
				clock.advance(hubSpotDefaultRetryAfter)
			}
			if c := h.Failures(); c[tc.reason] != 2 || s.calls.Load() != 2 {
				t.Errorf("failures = %v after %d calls, want 2 × %s", c, s.calls.Load(), tc.reason)
			}
			if n := strings.Count(logs.String(), "reason="+tc.reason); n != 1 {
				t.Errorf("logged %d times, want once:\n%s", n, logs)
			}
			if strings.Contains(logs.String(), "fail@example.com") || strings.Contains(logs.String(), hubSpotTestToken) {
				t.Errorf("log holds a visitor value or the token:\n%s", logs)
			}
		})
	}
	t.Run("network", func(t *testing.T) {
		s := newHubSpotStandIn(t, tokenAnswer)
		h, tk, _, _ := newHubSpotTest(t, s, HubSpot{})
		s.srv.Close()
		if d, _ := h.visitorData(context.Background(), Visitor{ID: "1", Email: "x@example.com"}); d != nil {
			t.Errorf("data = %v", d)
		}
		if c := tk.failureCounts(); c[HubSpotReasonNetwork] != 1 {
			t.Errorf("failures = %v", c)
		}
	})
}

func TestHubSpotPage(t *testing.T) {
	h := &HubSpot{PortalID: "123456", Token: []byte(hubSpotTestToken)}
	if _, err := h.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	const loader = "https://js.hs-scripts.com/123456.js"
	ready := `window.hsReady=function(){(window.hsConversationsOnReady||[]).forEach(function(f){f()})};`
	loaded := map[string][]string{loader: {"HubSpotConversations.widget.load", "HubSpotConversations.widget.remove", "HubSpotConversations.clear"}}
	d := Object{{"email", "visitor@example.com"}, {"token", "tok-1"}}
	out := runWidget(t, nodeInput{OnScriptLoad: loaded, Invoke: []string{"hsReady"}, Read: []string{"hsConversationsSettings"}},
		ready, mustPrepare(t, h), widgetCall{"identify", d})
	want := map[string]any{"loadImmediately": false, "identificationEmail": "visitor@example.com", "identificationToken": "tok-1"}
	if s := readMap(out, "hsConversationsSettings"); !equalJSONish(s, want) {
		t.Errorf("settings = %v, want %v", s, want)
	}
	if len(out.Scripts) != 1 || out.Scripts[0] != loader || len(out.calls("HubSpotConversations.widget.load")) != 1 {
		t.Errorf("scripts %v calls %+v", out.Scripts, out.Calls)
	}

	// Sign-out page: the fields go, clear({resetWidget: true}) once ready.
	out = runWidget(t, nodeInput{OnScriptLoad: loaded, Invoke: []string{"hsReady"}, Read: []string{"hsConversationsSettings"}},
		ready+`window.hsConversationsSettings={identificationEmail:"old@example.com",identificationToken:"old"};`, mustPrepare(t, h),
		widgetCall{"reset", nil}, widgetCall{"anonymous", nil})
	if s := readMap(out, "hsConversationsSettings"); len(s) != 0 {
		t.Errorf("settings = %v", s)
	}
	if c := out.calls("HubSpotConversations.clear"); len(c) != 1 || !equalJSONish(c[0].Args[0].(map[string]any), map[string]any{"resetWidget": true}) {
		t.Errorf("calls = %+v", out.Calls)
	}

	// In place on a loaded widget: new fields, remove, load.
	out = runWidget(t, nodeInput{Stubs: []string{"HubSpotConversations.widget.load", "HubSpotConversations.widget.remove"}, Read: []string{"hsConversationsSettings"}},
		"", mustPrepare(t, h), widgetCall{"update", d})
	if len(out.Calls) != 2 || out.Calls[0].Name != "HubSpotConversations.widget.remove" || out.Calls[1].Name != "HubSpotConversations.widget.load" ||
		!equalJSONish(readMap(out, "hsConversationsSettings"), want) {
		t.Errorf("calls = %+v settings %v", out.Calls, out.Read)
	}
}

func TestHubSpotValidate(t *testing.T) {
	tok := []byte(hubSpotTestToken)
	checkConfigErrors(t, "ok", (&HubSpot{PortalID: "123", Token: tok}).Validate(), hubSpotName)
	checkConfigErrors(t, "ok local", (&HubSpot{PortalID: "123", Token: tok, APIBase: "http://127.0.0.1:8080", Timeout: time.Second,
		CacheSize: 5, CacheTTL: 11 * time.Hour, RetryAfter: time.Hour}).Validate(), hubSpotName)
	checkConfigErrors(t, "empty", (&HubSpot{}).Validate(), hubSpotName, "PortalID", "Token")
	checkConfigErrors(t, "everything wrong", (&HubSpot{PortalID: "12a", Token: []byte("pat"), APIBase: "http://api.hubapi.com",
		Timeout: 6 * time.Second, CacheSize: -1, CacheTTL: 12 * time.Hour, RetryAfter: -time.Second}).Validate(),
		hubSpotName, "PortalID", "Token", "APIBase", "Timeout", "CacheSize", "CacheTTL", "RetryAfter")
	checkConfigErrors(t, "tiny timeout", (&HubSpot{PortalID: "1", Token: tok, Timeout: time.Millisecond, CacheTTL: -1, RetryAfter: 2 * time.Hour}).Validate(),
		hubSpotName, "Timeout", "CacheTTL", "RetryAfter")
	if _, err := (&HubSpot{PortalID: "1", Token: tok}).visitorData(context.Background(), Visitor{ID: "1", Email: "a@example.com"}); err == nil {
		t.Error("visitorData before Prepare succeeded")
	}
}

// A page that gets HubSpot's anonymous widget because no token came is
// noted (and so counted by the middleware); a page with a token, or a
// visitor without an e-mail, is not.
func TestHubSpotNotesNoToken(t *testing.T) {
	fail := true
	s := newHubSpotStandIn(t, func(n int32, w http.ResponseWriter) {
		if fail {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		tokenAnswer(n, w)
	})
	h, _, clock, _ := newHubSpotTest(t, s, HubSpot{})
	var rec noteRecorder
	r := testRequest()
	r.Notes = &rec
	identify := func(v Visitor) string {
		var d Data
		d.Reset(nil)
		if err := h.Identify(context.Background(), r, v, &d); err != nil {
			t.Fatal(err)
		}
		b, _ := d.Bytes()
		return string(b)
	}
	if got := identify(Visitor{ID: "1", Email: "a@example.com"}); got != "{}" {
		t.Errorf("data = %s, want {} (the anonymous widget)", got)
	}
	if got := identify(Visitor{ID: "1"}); got != "{}" {
		t.Errorf("no e-mail: data = %s", got)
	}
	fail = false
	clock.advance(hubSpotDefaultRetryAfter)
	if got := identify(Visitor{ID: "1", Email: "a@example.com"}); got != `{"email":"a@example.com","token":"tok-2"}` {
		t.Errorf("data = %s", got)
	}
	if rec.String() != "hubspot:no_token" {
		t.Errorf("notes = %v, want one hubspot:no_token", rec.notes)
	}
}
