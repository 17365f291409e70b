package inject

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Test helpers shared by the package's tests: recording ResponseWriters,
// handlers that write given pieces, and an Outcome collector.

// event is one call the wrapper made on the underlying writer.
type event struct {
	kind   string // "header", "write", "flush", "readfrom", "hijack"
	code   int
	header http.Header // a snapshot at WriteHeader
	data   string
}

// tap is an underlying ResponseWriter that records every call in order,
// like net/http: headers are snapshot at the first final WriteHeader, and a
// Write without one means 200.
type tap struct {
	h      http.Header
	events []event
	code   int
	sent   http.Header
	body   bytes.Buffer
}

func newTap() *tap { return &tap{h: http.Header{}} }

func (t *tap) Header() http.Header { return t.h }

func (t *tap) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	t.events = append(t.events, event{kind: "header", code: code, header: t.h.Clone()})
	if code >= 200 || code == 101 {
		if t.code == 0 {
			t.code, t.sent = code, t.h.Clone()
		}
	}
}

func (t *tap) Write(p []byte) (int, error) {
	if t.code == 0 {
		t.WriteHeader(http.StatusOK)
	}
	t.events = append(t.events, event{kind: "write", data: string(p)})
	return t.body.Write(p)
}

func (t *tap) Flush() { t.events = append(t.events, event{kind: "flush"}) }

// finals returns the final WriteHeader codes the wrapper sent.
func (t *tap) finals() []int {
	var c []int
	for _, e := range t.events {
		if e.kind == "header" && (e.code >= 200 || e.code == 101) {
			c = append(c, e.code)
		}
	}
	return c
}

// tapRF is a tap with ReadFrom, counting the bytes that took that path.
type tapRF struct {
	*tap
	viaReadFrom int64
}

func (t *tapRF) ReadFrom(src io.Reader) (int64, error) {
	if t.code == 0 {
		t.WriteHeader(http.StatusOK)
	}
	n, err := t.body.ReadFrom(src)
	t.viaReadFrom += n
	t.events = append(t.events, event{kind: "readfrom", data: fmt.Sprint(n)})
	return n, err
}

// plainWriter has only the three ResponseWriter methods.
type plainWriter struct{ t *tap }

func (p plainWriter) Header() http.Header         { return p.t.Header() }
func (p plainWriter) WriteHeader(code int)        { p.t.WriteHeader(code) }
func (p plainWriter) Write(b []byte) (int, error) { return p.t.Write(b) }

// outcomes collects what an Observe option reports.
type outcomes struct {
	mu   sync.Mutex
	list []Outcome
}

func (o *outcomes) observe(_ *http.Request, out Outcome) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.list = append(o.list, out)
}

// one returns the single outcome reported, failing the test otherwise.
func (o *outcomes) one(t *testing.T) Outcome {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.list) != 1 {
		t.Fatalf("got %d outcomes, want exactly 1: %+v", len(o.list), o.list)
	}
	return o.list[0]
}

const testScript = `window.chat={id:"42"};`

func constScript(s string) func(*http.Request) []byte {
	return func(*http.Request) []byte { return []byte(s) }
}

// writes returns a handler that sets headers, then writes chunks.
func writes(setup func(w http.ResponseWriter), chunks ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if setup != nil {
			setup(w)
		}
		for _, c := range chunks {
			if _, err := io.WriteString(w, c); err != nil {
				panic(err)
			}
		}
	})
}

func htmlType(w http.ResponseWriter) { w.Header().Set("Content-Type", "text/html; charset=utf-8") }

// run serves one GET through Handler into a fresh tap.
func run(t *testing.T, app http.Handler, opts ...Option) (*tap, Outcome) {
	t.Helper()
	var obs outcomes
	tp := newTap()
	h := Handler(app, constScript(testScript), append(opts, Observe(obs.observe))...)
	h.ServeHTTP(tp, httptest.NewRequest(http.MethodGet, "/", nil))
	return tp, obs.one(t)
}

// element is the inserted element for testScript without a nonce.
const element = "<script>" + testScript + "</script>"
