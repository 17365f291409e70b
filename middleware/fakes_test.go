package middleware

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
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

// fakeVendor is a vendor whose page data names what it was given, so a
// test can see which vendor applied what, in which order, from what input
// (see trace). The hooks, when set, replace the default data.
type fakeVendor struct {
	name        string
	identify    func(ctx context.Context, r vendors.Request, v vendors.Visitor, d *vendors.Data) error
	anonymous   func(ctx context.Context, r vendors.Request, d *vendors.Data) error
	noAnonymous bool // the vendor needs nothing for anonymous visitors
	noReset     bool // the vendor has no reset code
	prepare     func(s vendors.Setup) (vendors.Script, error)
	calls       atomic.Int32 // data written, of any kind
}

func (f *fakeVendor) Name() string { return f.name }

func (f *fakeVendor) Prepare(s vendors.Setup) (vendors.Script, error) {
	if f.prepare != nil {
		return f.prepare(s)
	}
	sc := vendors.Script{
		Identify:  "w.fake_" + f.name + "=d;",
		Anonymous: "w.fake_" + f.name + "=null;",
		Reset:     "w.fake_" + f.name + "=undefined;",
	}
	if f.noAnonymous {
		sc.Anonymous = ""
	}
	if f.noReset {
		sc.Reset = ""
	}
	return sc, nil
}

func (f *fakeVendor) Identify(ctx context.Context, r vendors.Request, v vendors.Visitor, d *vendors.Data) error {
	f.calls.Add(1)
	if f.identify != nil {
		return f.identify(ctx, r, v, d)
	}
	d.String("id", v.ID)
	d.String("endpoints", r.Endpoints)
	return nil
}

func (f *fakeVendor) Anonymous(ctx context.Context, r vendors.Request, d *vendors.Data) error {
	f.calls.Add(1)
	if f.anonymous != nil {
		return f.anonymous(ctx, r, d)
	}
	return nil
}

// jsq quotes s as a JS string literal, for the statements trace renders.
func jsq(s string) string {
	return strings.ReplaceAll(strconv.QuoteToASCII(s), "<", `\x3c`)
}

// validatingVendor adds vendors.Validator to a fakeVendor.
type validatingVendor struct {
	*fakeVendor
	validate func() error
}

func (v validatingVendor) Validate() error { return v.validate() }

func (v validatingVendor) Prepare(s vendors.Setup) (vendors.Script, error) {
	if err := v.validate(); err != nil {
		return vendors.Script{}, err
	}
	return v.fakeVendor.Prepare(s)
}

// endpointVendor adds vendors.EndpointProvider to a fakeVendor.
type endpointVendor struct {
	*fakeVendor
	endpoints []vendors.Endpoint
}

func (v endpointVendor) Endpoints() []vendors.Endpoint { return v.endpoints }

// wrapped is one statement of a trace: the page applies each vendor on its
// own (in its own try/catch), so a trace is the statements in order.
func wrapped(js string) string { return js }

// trace renders page data as the statements the fake vendors stand for, in
// the order the page runtime applies them: every reset first
// ("name.reset();"), then each vendor's identity
// ("name.identify(id,endpoints);", or the "js" its data holds) or anonymous
// code ("name.anonymous();"). Empty data gives "".
func trace(t testing.TB, data []byte) string {
	t.Helper()
	if len(data) == 0 {
		return ""
	}
	var doc struct {
		V       int             `json:"v"`
		Vendors json.RawMessage `json:"vendors"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.V != 1 {
		t.Fatalf("page data %q: %v (v=%d)", data, err, doc.V)
	}
	type entry struct {
		name  string
		Reset bool            `json:"reset"`
		Mode  string          `json:"mode"`
		Data  json.RawMessage `json:"data"`
	}
	var entries []entry
	dec := json.NewDecoder(bytes.NewReader(doc.Vendors))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		k, _ := dec.Token()
		var e entry
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("page data %q: %v", data, err)
		}
		e.name = k.(string)
		entries = append(entries, e)
	}
	var b strings.Builder
	for _, e := range entries {
		if e.Reset {
			b.WriteString(e.name + ".reset();")
		}
	}
	for _, e := range entries {
		switch e.Mode {
		case "identify":
			var d struct{ ID, Endpoints, JS string }
			_ = json.Unmarshal(e.Data, &d)
			if d.JS != "" {
				b.WriteString(d.JS)
			} else {
				b.WriteString(e.name + ".identify(" + jsq(d.ID) + "," + jsq(d.Endpoints) + ");")
			}
		case "anonymous":
			b.WriteString(e.name + ".anonymous();")
		case "":
		default:
			t.Fatalf("page data %q: mode %q", data, e.Mode)
		}
	}
	return b.String()
}

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

// built is the result of building one page's script the way inject does.
type built struct {
	script []byte // the trace of the page data (see trace), nil for none
	data   []byte
	header http.Header
}

// buildPage runs the middleware's side of one eligible HTML response
// without the rewriter: it opens the response as inject.HandlerFor does,
// asks for the script, commits the headers by outcome (Inserted unless the
// outcome says the script stayed out) and reports the outcome. It keeps
// these tests about composition independent of inject's progress; the tests
// in middleware_test.go go through the real rewriter.
func buildPage(m *Middleware, r *http.Request, outcome inject.Reason) built {
	w := httptest.NewRecorder()
	resp := m.open(w, r)
	ins := resp.Script(w.Header())
	if outcome == "" {
		outcome = inject.Injected
		if len(ins.Code) == 0 {
			outcome = inject.NoScript
		}
	}
	c := inject.Without
	if outcome == inject.Injected {
		c = inject.Inserted
	}
	resp.Commit(w.Header(), c)
	var tr []byte
	if len(ins.Code) > 0 {
		tr = []byte(trace(tb{}, ins.Data))
		if !bytes.Equal(ins.Code, m.code) {
			panic("the page code is not the middleware's constant code")
		}
	}
	data := append([]byte(nil), ins.Data...)
	resp.Done(inject.Outcome{Reason: outcome, Status: http.StatusOK, Held: 7})
	return built{script: tr, data: data, header: w.Header()}
}

// tb is a testing.TB for trace inside buildPage, which has none: a failure
// panics, which fails the calling test.
type tb struct{ testing.TB }

func (tb) Helper()                        {}
func (tb) Fatal(args ...any)              { panic(fmt.Sprint(args...)) }
func (tb) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }

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

// normalize replaces the page script element in an HTML body by
// <script>TRACE</script>, the statements its data stands for (see trace),
// so that tests through the real rewriter can state the page they expect.
// The element's text must be the runtime's.
func normalize(t testing.TB, body string) string {
	t.Helper()
	const open = `<script data-chatident='`
	i := strings.Index(body, open)
	if i < 0 {
		return body
	}
	j := strings.Index(body[i:], "'>")
	k := strings.Index(body[i:], "</script>")
	if j < 0 || k < j {
		t.Fatalf("malformed page script element in %q", body)
	}
	code := body[i+j+2 : i+k]
	if !strings.HasPrefix(code, "(function(w,doc){") {
		t.Fatalf("the page script is not the runtime: %q", code)
	}
	data := html.UnescapeString(body[i+len(open) : i+j])
	return body[:i] + "<script>" + trace(t, []byte(data)) + body[i+k:]
}
