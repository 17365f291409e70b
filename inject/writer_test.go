package inject

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatident/chatident/internal/testenv"
)

func TestWriteWithoutWriteHeaderMeans200(t *testing.T) {
	tp, out := run(t, writes(htmlType, "<html><head><title>t</title></head><body>x</body></html>"))
	if got := tp.finals(); len(got) != 1 || got[0] != 200 {
		t.Fatalf("final statuses %v, want [200]", got)
	}
	if out.Status != 200 || out.Reason != Injected {
		t.Fatalf("outcome %+v", out)
	}
}

func TestWriteHeaderTwiceKeepsTheFirst(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		w.WriteHeader(http.StatusCreated)
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "<head></head>")
		w.WriteHeader(http.StatusNotFound)
	})
	tp, out := run(t, app)
	if got := tp.finals(); len(got) != 1 || got[0] != 201 {
		t.Fatalf("final statuses %v, want [201]", got)
	}
	if out.Status != 201 || out.Reason != Injected {
		t.Fatalf("outcome %+v", out)
	}
}

func TestStatusSetWithoutBodyIsSent(t *testing.T) {
	for _, code := range []int{200, 302, 404, 500} {
		app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			htmlType(w)
			w.WriteHeader(code)
		})
		tp, out := run(t, app)
		if got := tp.finals(); len(got) != 1 || got[0] != code {
			t.Errorf("%d: final statuses %v", code, got)
		}
		if tp.body.Len() != 0 || out.Status != code {
			t.Errorf("%d: body %q, outcome %+v", code, tp.body.String(), out)
		}
	}
}

func TestNothingWrittenLeavesTheWriterUntouched(t *testing.T) {
	tp, out := run(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { htmlType(w) }))
	if len(tp.events) != 0 {
		t.Fatalf("events %+v, want none", tp.events)
	}
	if out.Reason != NoMarker || out.Status != 200 {
		t.Fatalf("outcome %+v", out)
	}
}

func TestInformationalPassesAtOnce(t *testing.T) {
	var seenBeforeFinal bool
	tp := newTap()
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</app.css>; rel=preload; as=style")
		w.WriteHeader(http.StatusEarlyHints)
		seenBeforeFinal = len(tp.events) == 1 && tp.events[0].code == 103 &&
			tp.events[0].header.Get("Link") != ""
		htmlType(w)
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "<html><head></head></html>")
	})
	var obs outcomes
	Handler(app, constScript(testScript), Observe(obs.observe)).ServeHTTP(tp, httptest.NewRequest("GET", "/", nil))
	if !seenBeforeFinal {
		t.Fatalf("103 not passed on at once: %+v", tp.events)
	}
	if out := obs.one(t); out.Status != 200 || out.Reason != Injected {
		t.Fatalf("outcome %+v", out)
	}
	if got := tp.finals(); len(got) != 1 || got[0] != 200 {
		t.Fatalf("finals %v", got)
	}
}

func TestInvalidStatusPanicsInTheApplicationAsNetHTTP(t *testing.T) {
	var obs outcomes
	tp := newTap()
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(42) }),
		constScript(testScript), Observe(obs.observe))
	v := catch(func() { h.ServeHTTP(tp, httptest.NewRequest("GET", "/", nil)) })
	if s, _ := v.(string); !strings.Contains(s, "invalid WriteHeader code 42") {
		t.Fatalf("panic value %#v", v)
	}
	if out := obs.one(t); out.Reason != Aborted {
		t.Fatalf("outcome %+v", out)
	}
}

// catch runs f and returns what it panicked with.
func catch(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

func TestPanicRepanicsSameValueAndSendsNothing(t *testing.T) {
	type boom struct{ n int }
	for _, val := range []any{boom{7}, http.ErrAbortHandler} {
		var obs outcomes
		tp := newTap()
		app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			htmlType(w)
			io.WriteString(w, "<html><body>part of a page, the marker not yet")
			panic(val)
		})
		h := Handler(app, constScript(testScript), Observe(obs.observe), At(BeforeBodyClose))
		got := catch(func() { h.ServeHTTP(tp, httptest.NewRequest("GET", "/", nil)) })
		if got != val {
			t.Fatalf("re-panicked with %#v, want %#v", got, val)
		}
		if len(tp.events) != 0 {
			t.Fatalf("the held response was sent: %+v", tp.events)
		}
		if out := obs.one(t); out.Reason != Aborted || out.Status != 0 {
			t.Fatalf("outcome %+v", out)
		}
	}
}

func TestPanicAfterHeadersSentReportsTheStatus(t *testing.T) {
	var obs outcomes
	tp := newTap()
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "{")
		panic("half way")
	})
	h := Handler(app, constScript(testScript), Observe(obs.observe))
	if got := catch(func() { h.ServeHTTP(tp, httptest.NewRequest("GET", "/", nil)) }); got != "half way" {
		t.Fatalf("panic %#v", got)
	}
	if out := obs.one(t); out.Reason != Aborted || out.Status != 200 {
		t.Fatalf("outcome %+v", out)
	}
	if tp.body.String() != "{" {
		t.Fatalf("body %q", tp.body.String())
	}
}

func TestMaxHeldFillCommitsAndStreams(t *testing.T) {
	// 100 bytes per write, the marker far beyond MaxHeld: the headers must
	// go out (without Content-Length) once 300 bytes are held, and from then
	// on each write must reach the underlying writer before the next.
	filler := strings.Repeat("<p>paragraph text</p>\n", 200)
	page := "<html><head><title>t</title></head><body>" + filler + "</body></html>"
	var sentDuring []int
	tp := newTap()
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		w.Header().Set("Content-Length", fmt.Sprint(len(page)))
		w.Header().Set("ETag", `"v1"`)
		for i := 0; i < len(page); i += 100 {
			io.WriteString(w, page[i:min(i+100, len(page))])
			sentDuring = append(sentDuring, tp.body.Len())
		}
	})
	var obs outcomes
	Handler(app, constScript(testScript), At(BeforeBodyClose), MaxHeld(300), Observe(obs.observe)).
		ServeHTTP(tp, httptest.NewRequest("GET", "/", nil))
	out := obs.one(t)
	if out.Reason != Injected {
		t.Fatalf("outcome %+v", out)
	}
	if out.Held >= 300 {
		t.Errorf("Held = %d, want < MaxHeld", out.Held)
	}
	if sentDuring[1] != 0 || sentDuring[2] != 0 {
		t.Errorf("sent before MaxHeld was reached: %v", sentDuring[:4])
	}
	if sentDuring[3] == 0 {
		t.Errorf("nothing sent after MaxHeld was exceeded: %v", sentDuring[:4])
	}
	for i := 4; i < len(sentDuring)-1; i++ {
		// Each write may keep back only a possible start of "</body>".
		if held := (i+1)*100 - sentDuring[i]; held > 6 {
			t.Fatalf("write %d: %d bytes held while streaming", i, held)
		}
	}
	if tp.sent.Get("Content-Length") != "" || tp.sent.Get("ETag") != "" {
		t.Errorf("headers sent before the marker kept Content-Length/ETag: %v", tp.sent)
	}
	want := strings.Replace(page, "</body>", element+"</body>", 1)
	if tp.body.String() != want {
		t.Fatalf("body differs from the page with one insertion")
	}
}

func TestGaveUpSendsEverythingUnchanged(t *testing.T) {
	// With MaxHeld 4, a write ending inside "</hea" leaves 5 bytes that
	// could still be the marker: looking stops, nothing is lost.
	page := []string{"<html><head><title>t</title></hea", "d><body>x</body></html>"}
	tp, out := run(t, writes(htmlType, page...), At(BeforeHeadClose), MaxHeld(4))
	if out.Reason != GaveUp || out.Held < 4 || out.Inserted != 0 {
		t.Fatalf("outcome %+v", out)
	}
	if tp.body.String() != strings.Join(page, "") {
		t.Fatalf("body %q", tp.body.String())
	}
	if tp.sent.Get("Content-Length") != "" || tp.sent.Get("Cache-Control") != "private" {
		t.Fatalf("headers went out in the may-insert form? %v", tp.sent)
	}
}

func TestNoMarkerWithHeadersHeldKeepsOriginalHeaders(t *testing.T) {
	body := "<p>a fragment with no head or body tags</p>"
	app := writes(func(w http.ResponseWriter) {
		htmlType(w)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Header().Set("ETag", `"abc"`)
		w.Header().Set("Cache-Control", "public, max-age=60")
	}, body)
	tp, out := run(t, app, At(BeforeBodyClose))
	if out.Reason != NoMarker || out.Held != len(body) || out.Inserted != 0 {
		t.Fatalf("outcome %+v", out)
	}
	if tp.body.String() != body {
		t.Fatalf("body %q", tp.body.String())
	}
	for k, v := range map[string]string{"Content-Length": fmt.Sprint(len(body)), "Etag": `"abc"`,
		"Cache-Control": "public, max-age=60", "Vary": ""} {
		if got := tp.sent.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestFlushSendsHeadersAndBytesBeforeHold(t *testing.T) {
	head := "<!doctype html><html><head><title>t</title></head><body><p>first part</p>"
	var afterFlush string
	var flushed bool
	tp := newTap()
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		w.Header().Set("Content-Length", "9999")
		io.WriteString(w, head)
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("ResponseController.Flush: %v", err)
		}
		afterFlush = tp.body.String()
		flushed = len(tp.events) > 0 && tp.events[len(tp.events)-1].kind == "flush"
		io.WriteString(w, "<p>rest</p></body></html>")
	})
	var obs outcomes
	Handler(app, constScript(testScript), At(BeforeBodyClose), Observe(obs.observe)).
		ServeHTTP(tp, httptest.NewRequest("GET", "/", nil))
	if !strings.HasPrefix(head, afterFlush) || len(head)-len(afterFlush) > 6 {
		t.Fatalf("after Flush, sent %q", afterFlush)
	}
	if !flushed {
		t.Fatalf("underlying writer not flushed: %+v", tp.events)
	}
	if tp.sent.Get("Content-Length") != "" {
		t.Errorf("Content-Length kept on a response committed before the marker")
	}
	if out := obs.one(t); out.Reason != Injected {
		t.Fatalf("outcome %+v", out)
	}
	want := head + "<p>rest</p>" + element + "</body></html>"
	if tp.body.String() != want {
		t.Fatalf("body %q", tp.body.String())
	}
}

func TestFlushBeforeAnyWrite(t *testing.T) {
	// An HTML page that sends its headers early: eligible, may-insert form.
	tp, out := run(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		w.(http.Flusher).Flush()
		if len(tp0(w)) == 0 {
			t.Error("no WriteHeader on flush")
		}
		io.WriteString(w, "<html><head></head></html>")
	}))
	if out.Reason != Injected || tp.sent.Get("Cache-Control") != "private" {
		t.Fatalf("outcome %+v, headers %v", out, tp.sent)
	}
	// No type and no bytes at the flush: net/http sends no type, so no HTML.
	tp, out = run(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush()
		io.WriteString(w, "<html><head></head></html>")
	}))
	if out.Reason != NotHTML || tp.sent.Get("Content-Type") != "" || strings.Contains(tp.body.String(), "script") {
		t.Fatalf("outcome %+v, headers %v", out, tp.sent)
	}
}

// tp0 returns the events of the tap under a wrapper.
func tp0(w http.ResponseWriter) []event {
	return w.(*writer).w.(*tap).events
}

func TestFlushErrorWithoutFlusher(t *testing.T) {
	tp := newTap()
	var err error
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		io.WriteString(w, "<html><body>")
		err = http.NewResponseController(w).Flush()
		io.WriteString(w, "</body></html>")
	})
	Handler(app, constScript(testScript), At(BeforeBodyClose)).ServeHTTP(plainWriter{tp}, httptest.NewRequest("GET", "/", nil))
	if !errors.Is(err, http.ErrNotSupported) {
		t.Fatalf("Flush error %v, want ErrNotSupported", err)
	}
	if want := "<html><body>" + element + "</body></html>"; tp.body.String() != want {
		t.Fatalf("body %q", tp.body.String())
	}
}

func TestReadFromPassthroughUsesUnderlyingReadFrom(t *testing.T) {
	data := bytes.Repeat([]byte(`{"k":"v"}`), 10000)
	tr := &tapRF{tap: newTap()}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.Copy(w, io.LimitReader(bytes.NewReader(data), int64(len(data)))) // LimitReader hides WriterTo
	})
	var obs outcomes
	Handler(app, constScript(testScript), Observe(obs.observe)).ServeHTTP(tr, httptest.NewRequest("GET", "/", nil))
	if tr.viaReadFrom != int64(len(data)) || !bytes.Equal(tr.body.Bytes(), data) {
		t.Fatalf("ReadFrom carried %d of %d bytes", tr.viaReadFrom, len(data))
	}
	if out := obs.one(t); out.Reason != NotHTML {
		t.Fatalf("outcome %+v", out)
	}
}

func TestReadFromHTMLInsertsThenDelegates(t *testing.T) {
	page := "<html><head><title>t</title></head><body>" + strings.Repeat("<p>text</p>", 5000) + "</body></html>"
	for _, typed := range []bool{true, false} {
		tr := &tapRF{tap: newTap()}
		app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if typed {
				htmlType(w)
			}
			io.Copy(w, io.LimitReader(strings.NewReader(page), int64(len(page))))
		})
		var obs outcomes
		Handler(app, constScript(testScript), Observe(obs.observe)).ServeHTTP(tr, httptest.NewRequest("GET", "/", nil))
		want := strings.Replace(page, "<head>", "<head>"+element, 1)
		if tr.body.String() != want {
			t.Fatalf("typed=%v: body differs", typed)
		}
		if tr.viaReadFrom == 0 {
			t.Errorf("typed=%v: the rest after the marker did not go through ReadFrom", typed)
		}
		if out := obs.one(t); out.Reason != Injected {
			t.Fatalf("outcome %+v", out)
		}
	}
}

func TestReadFromSniffsWithoutType(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 20000)...)
	tr := &tapRF{tap: newTap()}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(w, io.LimitReader(bytes.NewReader(png), int64(len(png))))
	})
	var obs outcomes
	Handler(app, constScript(testScript), Observe(obs.observe)).ServeHTTP(tr, httptest.NewRequest("GET", "/", nil))
	if !bytes.Equal(tr.body.Bytes(), png) || tr.sent.Get("Content-Type") != "image/png" {
		t.Fatalf("body or type wrong: %v", tr.sent)
	}
	if tr.viaReadFrom == 0 {
		t.Errorf("ReadFrom not used after the sniff")
	}
	if out := obs.one(t); out.Reason != NotHTML {
		t.Fatalf("outcome %+v", out)
	}
}

// hijackTap is a tap whose Hijack returns one end of a pipe.
type hijackTap struct {
	*tap
	conn net.Conn
}

func (h *hijackTap) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h.events = append(h.events, event{kind: "hijack"})
	return h.conn, bufio.NewReadWriter(bufio.NewReader(h.conn), bufio.NewWriter(h.conn)), nil
}

func TestHijackPassesThrough(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	ht := &hijackTap{tap: newTap(), conn: a}
	var got net.Conn
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
		}
		got = c
		if _, err := w.Write([]byte("x")); !errors.Is(err, http.ErrHijacked) {
			t.Errorf("Write after Hijack: %v", err)
		}
	})
	var obs outcomes
	Handler(app, constScript(testScript), Observe(obs.observe)).ServeHTTP(ht, httptest.NewRequest("GET", "/", nil))
	if got != a {
		t.Fatalf("hijacked conn %v, want the underlying one", got)
	}
	if len(ht.finals()) != 0 {
		t.Fatalf("a status was sent on a hijacked connection: %+v", ht.events)
	}
	if out := obs.one(t); out.Reason != Hijacked {
		t.Fatalf("outcome %+v", out)
	}
}

func TestHijackAndPushNotSupported(t *testing.T) {
	var hjErr, pushErr error
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _, hjErr = w.(http.Hijacker).Hijack()
		pushErr = w.(http.Pusher).Push("/app.css", nil)
		htmlType(w)
		io.WriteString(w, "<head></head>")
	})
	tp := newTap()
	var obs outcomes
	Handler(app, constScript(testScript), Observe(obs.observe)).ServeHTTP(plainWriter{tp}, httptest.NewRequest("GET", "/", nil))
	if !errors.Is(hjErr, http.ErrNotSupported) || !errors.Is(pushErr, http.ErrNotSupported) {
		t.Fatalf("Hijack %v, Push %v; want ErrNotSupported", hjErr, pushErr)
	}
	if out := obs.one(t); out.Reason != Injected {
		t.Fatalf("outcome %+v", out)
	}
}

// pushTap records pushes.
type pushTap struct {
	*tap
	pushed []string
}

func (p *pushTap) Push(target string, _ *http.PushOptions) error {
	p.pushed = append(p.pushed, target)
	return nil
}

func TestPushPassesThrough(t *testing.T) {
	pt := &pushTap{tap: newTap()}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := w.(http.Pusher).Push("/app.css", nil); err != nil {
			t.Errorf("Push: %v", err)
		}
	})
	Handler(app, constScript(testScript)).ServeHTTP(pt, httptest.NewRequest("GET", "/", nil))
	if len(pt.pushed) != 1 || pt.pushed[0] != "/app.css" {
		t.Fatalf("pushed %v", pt.pushed)
	}
}

// TestThroughNetHTTP runs the wrapper inside a real server: deadlines
// through Unwrap, full duplex, a hijack, and an injected page on the wire.
func TestThroughNetHTTP(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetWriteDeadline: %v", err)
		}
		if err := rc.SetReadDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetReadDeadline: %v", err)
		}
		if err := rc.EnableFullDuplex(); err != nil {
			t.Errorf("EnableFullDuplex: %v", err)
		}
		page := "<html><head></head><body>hi</body></html>"
		w.Header().Set("Content-Length", fmt.Sprint(len(page)))
		io.WriteString(w, page)
	})
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		c, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer c.Close()
		brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		brw.Flush()
	})
	srv := httptest.NewServer(Handler(mux, constScript(testScript)))
	defer srv.Close()

	res, err := http.Get(srv.URL + "/page")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	want := "<html><head>" + element + "</head><body>hi</body></html>"
	if string(body) != want || res.ContentLength != int64(len(want)) {
		t.Fatalf("page %q (length %d), want %q", body, res.ContentLength, want)
	}
	if res.Header.Get("Vary") != "Cookie" || res.Header.Get("Cache-Control") != "private" {
		t.Fatalf("headers %v", res.Header)
	}

	res, err = http.Get(srv.URL + "/ws")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "hijacked" {
		t.Fatalf("hijacked response %q", body)
	}
}

func TestUseAfterReturnIsDetached(t *testing.T) {
	var kept http.ResponseWriter
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kept = w
		htmlType(w)
		io.WriteString(w, "<html><head></head></html>")
	}), constScript(testScript), At(BeforeBodyClose))
	first := newTap()
	h.ServeHTTP(first, httptest.NewRequest("GET", "/", nil))

	// A second response, served while the first writer is still held,
	// must not see its bytes.
	second := newTap()
	other := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		io.WriteString(w, "<html><body>second")
		if n, err := kept.Write([]byte("LEAK")); n != 0 || !errors.Is(err, errDetached) {
			t.Errorf("late Write = %d, %v", n, err)
		}
		kept.WriteHeader(500)
		kept.(http.Flusher).Flush()
		if err := http.NewResponseController(kept).Flush(); !errors.Is(err, errDetached) {
			t.Errorf("late Flush: %v", err)
		}
		if _, err := kept.(io.ReaderFrom).ReadFrom(strings.NewReader("LEAK")); !errors.Is(err, errDetached) {
			t.Errorf("late ReadFrom: %v", err)
		}
		if err := kept.(http.Pusher).Push("/x.css", nil); !errors.Is(err, errDetached) {
			t.Errorf("late Push: %v", err)
		}
		io.WriteString(w, "</body></html>")
	}), constScript(testScript), At(BeforeBodyClose))
	other.ServeHTTP(second, httptest.NewRequest("GET", "/", nil))
	if strings.Contains(second.body.String(), "LEAK") || strings.Contains(first.body.String(), "LEAK") {
		t.Fatalf("a late write leaked: %q / %q", first.body.String(), second.body.String())
	}
	if len(first.finals()) != 1 || first.finals()[0] != 200 {
		t.Fatalf("late WriteHeader reached the first response: %v", first.finals())
	}
}

// TestLateWritesRaceWithPooledReuse: goroutines keep writing to writers of
// finished responses while the same Handler (same pool) serves new ones.
// Every new response must come out exactly right. Run with -race.
func TestLateWritesRaceWithPooledReuse(t *testing.T) {
	page := "<html><head><title>t</title></head><body><p>body</p></body></html>"
	want := strings.Replace(page, "</body>", element+"</body>", 1)
	// The writer is handed to the late-writing goroutine only after
	// ServeHTTP has returned: a write that lands before that is a legitimate
	// part of its own response, not a leak.
	type slot struct{ w http.ResponseWriter }
	type slotKey struct{}
	leaked := make(chan http.ResponseWriter, 64)
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		for i := 0; i < len(page); i += 7 {
			io.WriteString(w, page[i:min(i+7, len(page))])
		}
		r.Context().Value(slotKey{}).(*slot).w = w
	}), constScript(testScript), At(BeforeBodyClose))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case w := <-leaked:
				for i := 0; i < 20; i++ {
					w.Write([]byte("LEAK"))
					w.(http.Flusher).Flush()
				}
			}
		}
	}()
	var fail sync.Once
	var wg2 sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for i := 0; i < 300; i++ {
				tp := newTap()
				sl := &slot{}
				req := httptest.NewRequest("GET", "/", nil)
				h.ServeHTTP(tp, req.WithContext(context.WithValue(req.Context(), slotKey{}, sl)))
				select {
				case leaked <- sl.w:
				default:
				}
				if tp.body.String() != want {
					fail.Do(func() { t.Errorf("response corrupted: %q", tp.body.String()) })
				}
			}
		}()
	}
	wg2.Wait()
	close(stop)
	wg.Wait()
}

func TestWriteErrorIsReturned(t *testing.T) {
	boom := errors.New("client gone")
	fw := &failWriter{tap: newTap(), err: boom}
	var werr error
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		io.WriteString(w, "<html><head><title>")
		_, werr = io.WriteString(w, "t</title></head><body></body></html>")
	})
	Handler(app, constScript(testScript)).ServeHTTP(fw, httptest.NewRequest("GET", "/", nil))
	if !errors.Is(werr, boom) {
		t.Fatalf("write error %v", werr)
	}
}

type failWriter struct {
	*tap
	err error
}

func (f *failWriter) Write([]byte) (int, error) { return 0, f.err }

func TestHugeBodyBoundedAndIntact(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB through the writer")
	}
	const total = 1 << 30
	chunk := bytes.Repeat([]byte("<p>Lorem ipsum dolor sit amet, \x00 \xff\xfe consectetur</p>\n"), 1024)
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		io.WriteString(w, "<html><head><title>big</title></head><body>")
		for n := 0; n < total; n += len(chunk) {
			w.Write(chunk)
		}
		io.WriteString(w, "</body></html>")
	})
	cw := &countWriter{h: http.Header{}}
	var obs outcomes
	Handler(app, constScript(testScript), At(BeforeBodyClose), Observe(obs.observe)).
		ServeHTTP(cw, httptest.NewRequest("GET", "/", nil))
	out := obs.one(t)
	if out.Reason != Injected || out.Held > DefaultMaxHeld {
		t.Fatalf("outcome %+v", out)
	}
	n := int64((total+len(chunk)-1)/len(chunk)*len(chunk)) + int64(len("<html><head><title>big</title></head><body></body></html>"))
	if cw.n != n+int64(len(element)) {
		t.Fatalf("sent %d bytes, want %d", cw.n, n+int64(len(element)))
	}
	if !cw.tail.has(element + "</body></html>") {
		t.Fatalf("the end of the body is not the element and </body></html>")
	}
}

// countWriter counts and remembers the last bytes written.
type countWriter struct {
	h    http.Header
	n    int64
	tail tailBuf
}

func (c *countWriter) Header() http.Header { return c.h }
func (c *countWriter) WriteHeader(int)     {}
func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	c.tail.add(p)
	return len(p), nil
}

type tailBuf struct{ b []byte }

func (t *tailBuf) add(p []byte) {
	t.b = append(t.b, p...)
	if len(t.b) > 256 {
		t.b = append(t.b[:0], t.b[len(t.b)-256:]...)
	}
}
func (t *tailBuf) has(s string) bool { return strings.HasSuffix(string(t.b), s) }

func TestGaveUpOnHugeTag(t *testing.T) {
	// An end tag that never closes within MaxHeld: its start must be held
	// (a tag cut off by the end of the stream is no tag), until that alone
	// fills the buffer; then everything goes out unchanged.
	page := "<html><head><title>t</title></head data-x=\"" + strings.Repeat("y", 40<<10) +
		"\"><body>x</body></html>"
	var chunks []string
	for i := 0; i < len(page); i += 4 << 10 {
		chunks = append(chunks, page[i:min(i+4<<10, len(page))])
	}
	tp, out := run(t, writes(htmlType, chunks...), At(BeforeHeadClose))
	if out.Reason != GaveUp || out.Held < DefaultMaxHeld {
		t.Fatalf("outcome %+v", out)
	}
	if tp.body.String() != page {
		t.Fatalf("body changed")
	}
}

func TestAllocsPerResponse(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	testenv.SkipUnderRace(t, "allocation counts: its sync.Pool drops items on purpose, so pooled state is reallocated")
	page := []byte(genPage(64 << 10))
	html, bin := []string{"text/html"}, []string{"application/octet-stream"}
	app := func(ct []string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = ct // allocates nothing itself
			for i := 0; i < len(page); i += 4 << 10 {
				w.Write(page[i:min(i+4<<10, len(page))])
			}
		})
	}
	script := []byte(testScript)
	scriptFn := func(*http.Request) []byte { return script }
	req := httptest.NewRequest("GET", "/", nil)
	for _, tc := range []struct {
		name string
		h    http.Handler
		max  float64
	}{
		{"passthrough", Handler(app(bin), scriptFn), 1},
		{"AfterHeadOpen", Handler(app(html), scriptFn), 1},
		{"BeforeHeadClose", Handler(app(html), scriptFn, At(BeforeHeadClose)), 1},
		{"BeforeBodyClose", Handler(app(html), scriptFn, At(BeforeBodyClose)), 1},
	} {
		w := &discardRW{h: http.Header{}}
		n := testing.AllocsPerRun(200, func() {
			clear(w.h)
			tc.h.ServeHTTP(w, req)
		})
		t.Logf("%s: %.0f allocations per response", tc.name, n)
		if n > tc.max {
			t.Errorf("%s: %.0f allocations per response, want ≤ %.0f", tc.name, n, tc.max)
		}
	}
}
