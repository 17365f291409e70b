package middleware

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/internal/faultnet"
	"github.com/chatident/chatident/vendors"
)

// fakeVendor is a vendor whose scripts name it and what it was given, so a
// test can see which vendor produced what, in which order, from what input.
// The hooks, when set, replace the default behaviour.
type fakeVendor struct {
	name      string
	identify  func(ctx context.Context, r vendors.Request, v vendors.Visitor) ([]byte, error)
	anonymous func(ctx context.Context, r vendors.Request) ([]byte, error)
	reset     func(ctx context.Context, r vendors.Request) ([]byte, error)
	calls     atomic.Int32 // script builds of any kind
}

func (f *fakeVendor) Name() string { return f.name }

func (f *fakeVendor) Identify(ctx context.Context, r vendors.Request, v vendors.Visitor) ([]byte, error) {
	f.calls.Add(1)
	if f.identify != nil {
		return f.identify(ctx, r, v)
	}
	return []byte(f.name + ".identify(" + jsq(v.ID) + "," + jsq(r.Endpoints) + ");"), nil
}

func (f *fakeVendor) Anonymous(ctx context.Context, r vendors.Request) ([]byte, error) {
	f.calls.Add(1)
	if f.anonymous != nil {
		return f.anonymous(ctx, r)
	}
	return []byte(f.name + ".anonymous();"), nil
}

func (f *fakeVendor) Reset(ctx context.Context, r vendors.Request) ([]byte, error) {
	f.calls.Add(1)
	if f.reset != nil {
		return f.reset(ctx, r)
	}
	return []byte(f.name + ".reset();"), nil
}

// jsq quotes s as a JS string literal that is ASCII and cannot end a
// <script> element, as real vendors' encoders do.
func jsq(s string) string {
	return strings.ReplaceAll(strconv.QuoteToASCII(s), "<", `\x3c`)
}

// validatingVendor adds vendors.Validator to a fakeVendor.
type validatingVendor struct {
	*fakeVendor
	validate func() error
}

func (v validatingVendor) Validate() error { return v.validate() }

// endpointVendor adds vendors.EndpointProvider to a fakeVendor.
type endpointVendor struct {
	*fakeVendor
	endpoints []vendors.Endpoint
}

func (v endpointVendor) Endpoints() []vendors.Endpoint { return v.endpoints }

// wrapped is how the middleware places one vendor's script in the page.
func wrapped(js string) string { return "try{\n" + js + "\n}catch(e){}\n" }

// recorder is an Observer that keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) Observe(_ context.Context, e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) take() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.events
	r.events = nil
	return e
}

// logBuffer returns a logger that writes text records at every level to buf.
func logBuffer() (*slog.Logger, *faultnet.LockedBuffer) {
	buf := &faultnet.LockedBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

func mustNew(t testing.TB, cfg Config) *Middleware {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

// page is the result of building one page's script the way inject does.
type page struct {
	script []byte
	header http.Header
}

// buildPage runs the middleware's side of one eligible HTML response
// without the rewriter: it attaches the request state as Wrap's handler
// does, calls the script callback as inject does once it has decided the
// response is eligible, then reports outcome to the observer callback.
// It keeps these tests about composition independent of inject's progress;
// the tests in wrap_test.go go through the real rewriter.
func buildPage(m *Middleware, r *http.Request, outcome inject.Reason) page {
	w := httptest.NewRecorder()
	st := m.acquire(w)
	defer m.release(st)
	r = r.WithContext(m.attach(r.Context(), st))
	script := m.script(r)
	if outcome == "" {
		outcome = inject.Injected
		if len(script) == 0 {
			outcome = inject.NoScript
		}
	}
	m.observe(r, inject.Outcome{Reason: outcome, Status: http.StatusOK, Held: 7})
	return page{script: append([]byte(nil), script...), header: w.Header()}
}

// withCookies returns a GET request for path carrying cookies.
func withCookies(path string, cookies ...*http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return r
}

// visitorRequest returns a GET request whose context carries a visitor.
func visitorRequest(id string, cookies ...*http.Cookie) *http.Request {
	r := withCookies("/", cookies...)
	return r.WithContext(WithVisitor(r.Context(), vendors.Visitor{ID: id}))
}

// newHeaderWriter returns a ResponseWriter for calls that only set headers.
func newHeaderWriter() http.ResponseWriter { return httptest.NewRecorder() }
