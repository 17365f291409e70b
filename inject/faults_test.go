package inject

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatident/chatident/internal/faultnet"
)

// Proof under faults: each test runs Handler in a real net/http server on
// loopback, provokes one fault with a real client, and checks what the
// application, the client and the observer see, then that no goroutine and
// no pooled response state is left behind (see leak_test.go).

// leakPage is the page of TestFaultWritesAfterReturn.
const leakPage = "<!DOCTYPE html><html><head><title>t</title></head><body><p>good</p></body></html>"

// streamedPage returns the start of faultnet's streamed page as a client
// must receive it through Handler with placement p, longer than any test
// reads. The element goes in after <head> for AfterHeadOpen; with
// BeforeBodyClose it never does, since the page never ends.
func streamedPage(p Placement) []byte {
	var b bytes.Buffer
	b.WriteString(faultnet.StreamHead)
	if p == AfterHeadOpen {
		b.Reset()
		b.WriteString(expected(faultnet.StreamHead, p))
	}
	chunk := faultnet.StreamChunk()
	for b.Len() < 4<<20 {
		b.Write(chunk)
	}
	return b.Bytes()
}

// TestFaultWritesAfterReturn: the application leaves goroutines writing to
// its ResponseWriter after its handler returned, which net/http does not
// support, while many other requests go through the same Handler and its
// pool. Some goroutines wait until the request is over (net/http cancels its
// context after the handler returned), and every one of their calls must
// fail; others start as the handler returns and race with the end of the
// response. No call may crash or race (run with -race), and every other
// response must come out byte for byte, including responses that reuse the
// same keep-alive connection.
func TestFaultWritesAfterReturn(t *testing.T) {
	faultnet.NoGoroutineLeak(t)
	want := expected(leakPage, AfterHeadOpen)
	var late sync.WaitGroup
	var lateSucceeded atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/good", func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		for i := 0; i < len(leakPage); i += 9 {
			io.WriteString(w, leakPage[i:min(i+9, len(leakPage))])
		}
	})
	mux.HandleFunc("/after", func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		io.WriteString(w, leakPage)
		ctx := r.Context()
		late.Add(1)
		go func() {
			defer late.Done()
			<-ctx.Done()
			lateSucceeded.Add(int64(faultnet.LateCalls(w)))
			if _, _, err := http.NewResponseController(w).Hijack(); !errors.Is(err, errDetached) {
				t.Errorf("Hijack after the handler returned: %v, want errDetached", err)
			}
		}()
	})
	mux.HandleFunc("/racing", func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		io.WriteString(w, leakPage)
		late.Add(1)
		started := make(chan struct{})
		go func() {
			defer late.Done()
			w.Write([]byte("LEAK"))
			close(started)
			for range 2000 {
				w.Write([]byte("LEAK"))
			}
			faultnet.LateCalls(w)
		}()
		<-started // return while the goroutine is writing
	})
	var outcomes atomic.Int64
	h := Handler(mux, constScript(testScript), Observe(func(*http.Request, Outcome) { outcomes.Add(1) }))
	made := countStates(h)
	srv := faultnet.Start(t, h)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	t.Cleanup(client.CloseIdleConnections)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	get := func(path string) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		if err != nil {
			return "", err
		}
		res, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return string(b), err
	}
	const clients, perClient = 8, 40
	var wg sync.WaitGroup
	var requests atomic.Int64
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perClient {
				path := "/good"
				if c < 2 { // two clients misbehave, on the same connections as the rest
					path = [...]string{"/after", "/racing"}[i%2]
				}
				body, err := get(path)
				requests.Add(1)
				switch {
				case err != nil:
					t.Errorf("%s: %v", path, err)
					return
				case path == "/good" && body != want:
					t.Errorf("%s: body corrupted:\n%q\nwant\n%q", path, body, want)
					return
				case path != "/good" && !(strings.HasPrefix(body, want) && strings.Trim(body[len(want):], "LEAK") == ""):
					t.Errorf("%s: body %q, want the page and at most some late bytes", path, body)
					return
				}
			}
		}()
	}
	wg.Wait()
	late.Wait()
	if n := lateSucceeded.Load(); n != 0 {
		t.Errorf("%d calls made after the request was over succeeded", n)
	}

	// The pool still works: a misbehaving request costs no new state.
	bad := func() {
		if _, err := get("/after"); err != nil {
			t.Error(err)
		}
		requests.Add(1)
	}
	faultnet.CheckPooled(t, made, func() { bad(); late.Wait() })
	srv.Close()
	if outcomes.Load() != requests.Load() {
		t.Errorf("%d outcomes for %d requests", outcomes.Load(), requests.Load())
	}
}

// TestFaultClientDisconnectsMidBody: the client reads the start of a large
// streamed page and resets the connection. The application's writes must
// start failing with the connection's error, so that it stops; it returns,
// and one outcome is reported. AfterHeadOpen has inserted and passes
// through when the client leaves; BeforeBodyClose is still looking.
func TestFaultClientDisconnectsMidBody(t *testing.T) {
	for _, p := range []Placement{AfterHeadOpen, BeforeBodyClose} {
		t.Run(p.String(), func(t *testing.T) {
			faultnet.NoGoroutineLeak(t)
			writeErr := make(chan error, 1)
			outs := make(chan Outcome, 1)
			app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				writeErr <- faultnet.WriteStream(w, 256<<20)
			})
			h := Handler(app, constScript(testScript), At(p),
				Observe(func(_ *http.Request, o Outcome) { outs <- o }))
			made := countStates(h)
			srv := faultnet.Start(t, h)
			want := Injected
			if p == BeforeBodyClose {
				// The headers went when MaxHeld filled; for the handler,
				// the page ended without </body>.
				want = NoMarker
			}
			page := streamedPage(p)

			disconnect := func() {
				conn, br := srv.Open(t, "/")
				res, err := faultnet.ReadResponse(br)
				if err != nil {
					t.Fatal(err)
				}
				if n, err := faultnet.CheckBodyPrefix(t, res.Body, page, 4<<10); err != nil {
					t.Fatalf("reading the first %d bytes: %v", n, err)
				}
				faultnet.Reset(conn)
				err = faultnet.Within(t, writeErr, "the handler's return")
				if err == nil || errors.Is(err, errDetached) {
					t.Errorf("write error %v, want the connection's", err)
				}
				if out := faultnet.Within(t, outs, "the outcome"); out.Reason != want || out.Status != http.StatusOK {
					t.Errorf("outcome %+v, want %s with 200", out, want)
				}
			}
			faultnet.CheckPooled(t, made, disconnect) // every run is checked
		})
	}
}

// TestFaultWriteDeadline: the application sets a write deadline through
// http.ResponseController, which reaches net/http's connection through the
// wrapper's Unwrap, and streams a page to a client that reads nothing. The
// deadline's error must reach the application through the wrapper; what
// the client then gets is a prefix of the page.
func TestFaultWriteDeadline(t *testing.T) {
	for _, p := range []Placement{AfterHeadOpen, BeforeBodyClose} {
		t.Run(p.String(), func(t *testing.T) {
			faultnet.NoGoroutineLeak(t)
			writeErr := make(chan error, 1)
			outs := make(chan Outcome, 1)
			app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
					t.Errorf("SetWriteDeadline through the wrapper: %v", err)
				}
				writeErr <- faultnet.WriteStream(w, 256<<20)
			})
			h := Handler(app, constScript(testScript), At(p),
				Observe(func(_ *http.Request, o Outcome) { outs <- o }))
			made := countStates(h)
			srv := faultnet.Start(t, h)
			page := streamedPage(p)

			stall := func() {
				_, br := srv.Open(t, "/")
				// Read nothing until the handler has given up.
				if err := faultnet.Within(t, writeErr, "the handler's return"); !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Errorf("write error %v, want the deadline's", err)
				}
				if out := faultnet.Within(t, outs, "the outcome"); out.Status != http.StatusOK {
					t.Errorf("outcome %+v", out)
				}
				res, err := faultnet.ReadResponse(br)
				if err != nil {
					return // the deadline struck before the headers went
				}
				faultnet.CheckCutOff(t, res.Body, page)
			}
			faultnet.CheckPooled(t, made, stall) // every run is checked
		})
	}
}

// errAppFailure is what the panicking handlers panic with, when not
// http.ErrAbortHandler.
var errAppFailure = errors.New("app failure 7d1c")

// TestFaultPanic: the application panics before writing and at points
// after, with its own value and with http.ErrAbortHandler. net/http must
// see the panic (it logs all but ErrAbortHandler and closes the
// connection); the observer sees Aborted once; and the client gets either
// no response at all or a prefix of the page, cut off, never a complete
// looking one.
func TestFaultPanic(t *testing.T) {
	chunk := string(faultnet.StreamChunk())
	for _, tc := range []struct {
		name   string
		p      Placement
		writes []string
		flush  bool
		sent   bool // the headers went before the panic
		// received: the client gets this many body bytes (-1: any prefix,
		// since net/http may hold what was not flushed).
		received int
	}{
		{"nothing written", AfterHeadOpen, nil, false, false, 0},
		{"held, before the marker", BeforeBodyClose, []string{faultnet.StreamHead}, false, false, 0},
		{"flushed, before the marker", BeforeBodyClose, []string{faultnet.StreamHead, chunk}, true, true, -1},
		{"after the marker, not flushed", AfterHeadOpen, []string{faultnet.StreamHead}, false, true, -1},
		{"after the marker, flushed", AfterHeadOpen, []string{faultnet.StreamHead, chunk}, true, true,
			len(expected(faultnet.StreamHead, AfterHeadOpen)) + len(chunk)},
	} {
		for _, value := range []error{errAppFailure, http.ErrAbortHandler} {
			t.Run(tc.name+"/"+value.Error(), func(t *testing.T) {
				faultnet.NoGoroutineLeak(t)
				outs := make(chan Outcome, 1)
				app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					htmlType(w)
					for _, s := range tc.writes {
						io.WriteString(w, s)
					}
					if tc.flush {
						w.(http.Flusher).Flush()
					}
					panic(value)
				})
				h := Handler(app, constScript(testScript), At(tc.p),
					Observe(func(_ *http.Request, o Outcome) { outs <- o }))
				made := countStates(h)
				srv := faultnet.Start(t, h)
				wantStatus := 0
				if tc.sent {
					wantStatus = http.StatusOK
				}
				page := streamedPage(tc.p)

				crashes := 0
				crash := func() {
					crashes++
					_, br := srv.Open(t, "/")
					res, err := faultnet.ReadResponse(br)
					switch {
					case err == nil && !tc.sent:
						t.Errorf("got a %d response, want none: the headers were still held", res.StatusCode)
					case err == nil:
						n := faultnet.CheckCutOff(t, res.Body, page)
						if tc.received >= 0 && n != tc.received {
							t.Errorf("received %d body bytes, want %d", n, tc.received)
						}
					case !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF):
						t.Errorf("reading the response: %v, want the connection closed", err)
					case tc.received > 0:
						t.Errorf("no response, want %d body bytes", tc.received)
					}
					if out := faultnet.Within(t, outs, "the outcome"); out.Reason != Aborted || out.Status != wantStatus {
						t.Errorf("outcome %+v, want aborted with status %d", out, wantStatus)
					}
				}
				faultnet.CheckPooled(t, made, crash) // every run is checked

				srv.Close()
				logged := srv.Log.String()
				if value == http.ErrAbortHandler {
					if logged != "" {
						t.Errorf("net/http logged %q for ErrAbortHandler", logged)
					}
				} else if n := strings.Count(logged, "http: panic serving"); n != crashes || !strings.Contains(logged, errAppFailure.Error()) {
					t.Errorf("net/http logged %d panics, want %d with the value; log starts %q", n, crashes, logged[:min(len(logged), 200)])
				}
				if len(outs) != 0 {
					t.Errorf("an extra outcome: %+v", <-outs)
				}
			})
		}
	}
}

// TestFaultHijack: a websocket-style upgrade through the wrapper, with the
// http.Hijacker interface and with http.ResponseController: the handler
// answers 101 on the raw connection, then bytes are echoed both ways.
// Writing through the ResponseWriter afterwards gets http.ErrHijacked.
func TestFaultHijack(t *testing.T) {
	hijackers := map[string]func(http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error){
		"Hijacker": func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
			return w.(http.Hijacker).Hijack()
		},
		"ResponseController": func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
			return http.NewResponseController(w).Hijack()
		},
	}
	for name, hijack := range hijackers {
		t.Run(name, func(t *testing.T) {
			faultnet.NoGoroutineLeak(t)
			outs := make(chan Outcome, 1)
			app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Upgrade") != "echo" {
					http.Error(w, "upgrade required", http.StatusUpgradeRequired)
					return
				}
				htmlType(w) // as a page handler might have set it already
				conn, brw, err := hijack(w)
				if err != nil {
					t.Errorf("Hijack: %v", err)
					return
				}
				defer conn.Close()
				if _, err := w.Write([]byte("late")); !errors.Is(err, http.ErrHijacked) {
					t.Errorf("Write after Hijack: %v, want http.ErrHijacked", err)
				}
				brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello\n")
				if err := brw.Flush(); err != nil {
					t.Error(err)
					return
				}
				for {
					line, err := brw.ReadString('\n')
					if err != nil {
						return // the client closed
					}
					brw.WriteString("echo: " + line)
					if err := brw.Flush(); err != nil {
						t.Error(err)
						return
					}
				}
			})
			h := Handler(app, constScript(testScript),
				Observe(func(_ *http.Request, o Outcome) { outs <- o }))
			made := countStates(h)
			srv := faultnet.Start(t, h)

			upgrade := func() {
				conn, br := srv.Open(t, "/ws", "Upgrade: echo", "Connection: Upgrade")
				res, err := faultnet.ReadResponse(br)
				if err != nil {
					t.Fatal(err)
				}
				if res.StatusCode != http.StatusSwitchingProtocols || res.Header.Get("Upgrade") != "echo" {
					t.Fatalf("response %d %v, want 101 with Upgrade: echo", res.StatusCode, res.Header)
				}
				if line, err := br.ReadString('\n'); line != "hello\n" {
					t.Fatalf("server's first bytes %q, %v", line, err)
				}
				for _, msg := range []string{"ping\n", "<head>not a page</head>\n", strings.Repeat("x", 3000) + "\n"} {
					if _, err := conn.Write([]byte(msg)); err != nil {
						t.Fatal(err)
					}
					if line, err := br.ReadString('\n'); line != "echo: "+msg {
						t.Fatalf("echo %q, %v; want %q", line, err, "echo: "+msg)
					}
				}
				conn.Close()
				if out := faultnet.Within(t, outs, "the outcome"); out != (Outcome{Reason: Hijacked}) {
					t.Errorf("outcome %+v, want Hijacked", out)
				}
			}
			faultnet.CheckPooled(t, made, upgrade) // every run is checked
		})
	}
}
