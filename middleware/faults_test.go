package middleware

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/securecookie"

	"github.com/chatident/chatident/internal/faultnet"
	"github.com/chatident/chatident/vendors"
)

// Proof under faults, through Wrap with the real vendors: each test runs a
// real net/http server on loopback, provokes one fault with a real client,
// and checks what the application, the client and the observer see, then
// that no goroutine and no pooled request state is left behind (see
// leak_test.go). The Zendesk token endpoint is also put under a burst.

// Keys of the fault tests: distinct, obviously fake test values.
const (
	faultLoginKey   = "test-fault-login-key-not-a-secret-0123"
	faultSessionKey = "test-fault-session-key-not-a-secret-01"
	faultWebimKey   = "test-fault-webim-key-not-a-secret"
	faultWebimIDKey = "test-fault-webim-idkey-not-a-secret"
	faultEdnaIDKey  = "test-fault-edna-idkey-not-a-secret"
	faultHelpKey    = "test-fault-helpcrunch-key-not-secret"
	faultZendeskKey = "test-fault-zendesk-key-not-a-secret"
	faultSignOutKey = "test-fault-signout-key-not-a-secret-0"
)

// faultSession is what the application keeps in its session cookie.
type faultSession struct{ UserID string }

// faultCodec is the application's own session codec.
func faultCodec() *securecookie.SecureCookie {
	return securecookie.New([]byte(faultSessionKey), nil)
}

// faultVendors returns the four real vendors.
func faultVendors() []vendors.Vendor {
	return []vendors.Vendor{
		&vendors.Webim{PrivateKey: []byte(faultWebimKey), IDKey: []byte(faultWebimIDKey)},
		&vendors.Edna{IDKey: []byte(faultEdnaIDKey)},
		&vendors.HelpCrunch{Organization: "shop", AppID: "3", Secret: []byte(faultHelpKey)},
		&vendors.Zendesk{Secret: []byte(faultZendeskKey), AccountKey: "acct-key"},
	}
}

// newFaultMiddleware returns a Middleware with the four real vendors, a
// session cookie and a login token as sources, a clock fixed at now, and
// obs as its observer.
func newFaultMiddleware(t *testing.T, obs Observer) *Middleware {
	t.Helper()
	now := time.Now()
	logger, _ := logBuffer()
	return mustNew(t, Config{
		Vendors: faultVendors(),
		Sources: []Source{
			&SessionCookie[faultSession]{Name: "session", HashKey: []byte(faultSessionKey),
				Visitor: func(s faultSession) (vendors.Visitor, bool) {
					return vendors.Visitor{ID: s.UserID}, s.UserID != ""
				}},
			&JWTCookie{Secret: []byte(faultLoginKey)},
		},
		SignOut:  SignOut{HashKey: []byte(faultSignOutKey)},
		Observer: obs,
		Logger:   logger,
		Now:      func() time.Time { return now },
	})
}

// faultLogin returns a login token cookie for sub, signed as a login
// service would sign it.
func faultLogin(t *testing.T, sub string) *http.Cookie {
	t.Helper()
	return &http.Cookie{Name: DefaultJWTCookie, Value: sign(t, jwt.SigningMethodHS256, []byte(faultLoginKey),
		jwt.MapClaims{"sub": sub, "iat": time.Now().Add(-time.Minute).Unix(), "exp": time.Now().Add(time.Hour).Unix()})}
}

// faultSessionCookie returns the application's session cookie for userID.
func faultSessionCookie(t *testing.T, userID string) *http.Cookie {
	t.Helper()
	return appCookie(t, faultCodec(), "session", faultSession{UserID: userID})
}

// cookieHeader returns c as a request header line.
func cookieHeader(c *http.Cookie) string {
	return "Cookie: " + c.Name + "=" + c.Value
}

// faultApp serves, at /page, faultnet.StreamHead completed into a small
// page, and every other path with fault.
func faultApp(fault http.HandlerFunc) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, faultnet.StreamHead+"</body></html>")
	})
	mux.Handle("/", fault)
	return mux
}

// faultReference fetches /page for the visitor of cookie and returns the
// streamed page as that visitor must receive it, with the element the
// middleware put in /page, and the events /page caused. A faulted request
// for the same visitor must get the same element and cause the same events.
func faultReference(t *testing.T, srv *faultnet.Server, rec *recorder, cookie *http.Cookie) ([]byte, []Event) {
	t.Helper()
	conn, br := srv.Open(t, "/page", cookieHeader(cookie))
	defer conn.Close()
	res, err := faultnet.ReadResponse(br)
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	srv.Settle(t)
	const before = "<!DOCTYPE html><html><head>"
	after := faultnet.StreamHead[len(before):] + "</body></html>"
	elem, ok := bytes.CutPrefix(page, []byte(before))
	if ok {
		elem, ok = bytes.CutSuffix(elem, []byte(after))
	}
	if !ok || !bytes.HasPrefix(elem, []byte("<script data-chatident=")) || !bytes.HasSuffix(elem, []byte("</script>")) ||
		!bytes.Contains(elem, []byte("zChat.init(")) {
		t.Fatalf("/page %d, no identity script after <head>:\n%s", res.StatusCode, page)
	}
	want := bytes.NewBufferString(before)
	want.Write(elem)
	want.WriteString(faultnet.StreamHead[len(before):])
	chunk := faultnet.StreamChunk()
	for want.Len() < 4<<20 {
		want.Write(chunk)
	}
	return want.Bytes(), rec.take()
}

// TestFaultWrapClientDisconnects: an identified visitor's client reads the
// start of a large streamed page, with the vendors' script, and resets the
// connection. The application's writes must start failing, it returns, and
// the events are those of a complete page, once.
func TestFaultWrapClientDisconnects(t *testing.T) {
	faultnet.NoGoroutineLeak(t)
	rec := &recorder{}
	m := newFaultMiddleware(t, rec)
	made := countStates(m)
	writeErr := make(chan error, 1)
	srv := faultnet.Start(t, m.Wrap(faultApp(func(w http.ResponseWriter, r *http.Request) {
		writeErr <- faultnet.WriteStream(w, 256<<20)
	})))
	login := faultLogin(t, "user-disconnect")
	want, events := faultReference(t, srv, rec, login)

	disconnect := func() {
		conn, br := srv.Open(t, "/stream", cookieHeader(login))
		res, err := faultnet.ReadResponse(br)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := faultnet.CheckBodyPrefix(t, res.Body, want, 4<<10); err != nil {
			t.Fatalf("reading the first %d bytes: %v", n, err)
		}
		faultnet.Reset(conn)
		if err := faultnet.Within(t, writeErr, "the handler's return"); err == nil {
			t.Error("the handler wrote 256 MiB to a reset connection without an error")
		}
		srv.Settle(t)
		if got := rec.take(); !reflect.DeepEqual(got, events) {
			t.Errorf("events %+v, want %+v", got, events)
		}
	}
	faultnet.CheckPooled(t, made, disconnect) // every run is checked
}

// TestFaultWrapWriteDeadline: the application sets a write deadline with
// http.ResponseController, through Wrap's writers, and streams to a client
// that reads nothing. The deadline's error must reach the application;
// what the client then gets is a prefix of the page.
func TestFaultWrapWriteDeadline(t *testing.T) {
	faultnet.NoGoroutineLeak(t)
	rec := &recorder{}
	m := newFaultMiddleware(t, rec)
	made := countStates(m)
	writeErr := make(chan error, 1)
	srv := faultnet.Start(t, m.Wrap(faultApp(func(w http.ResponseWriter, r *http.Request) {
		if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
			t.Errorf("SetWriteDeadline through Wrap: %v", err)
		}
		writeErr <- faultnet.WriteStream(w, 256<<20)
	})))
	session := faultSessionCookie(t, "user-deadline")
	want, events := faultReference(t, srv, rec, session)

	stall := func() {
		_, br := srv.Open(t, "/stream", cookieHeader(session))
		// Read nothing until the handler has given up.
		if err := faultnet.Within(t, writeErr, "the handler's return"); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("write error %v, want the deadline's", err)
		}
		srv.Settle(t)
		if got := rec.take(); !reflect.DeepEqual(got, events) {
			t.Errorf("events %+v, want %+v", got, events)
		}
		res, err := faultnet.ReadResponse(br)
		if err != nil {
			return // the deadline struck before the headers went
		}
		faultnet.CheckCutOff(t, res.Body, want)
	}
	faultnet.CheckPooled(t, made, stall) // every run is checked
}

// errAppFailure is what the panicking handlers panic with, when not
// http.ErrAbortHandler.
var errAppFailure = errors.New("app failure 7d1c")

// TestFaultWrapPanic: the application panics before writing and after the
// page's script went out, with its own value and with http.ErrAbortHandler.
// net/http must see the panic (it logs all but ErrAbortHandler and closes
// the connection); the observer gets one response event, "aborted", and no
// injection events; the client gets no response or a cut-off prefix.
func TestFaultWrapPanic(t *testing.T) {
	for _, tc := range []struct {
		name string
		body bool // the handler writes the head and a chunk, flushed
	}{{"nothing written", false}, {"after the script, flushed", true}} {
		for _, value := range []error{errAppFailure, http.ErrAbortHandler} {
			t.Run(tc.name+"/"+value.Error(), func(t *testing.T) {
				faultnet.NoGoroutineLeak(t)
				rec := &recorder{}
				m := newFaultMiddleware(t, rec)
				made := countStates(m)
				srv := faultnet.Start(t, m.Wrap(faultApp(func(w http.ResponseWriter, r *http.Request) {
					if tc.body {
						w.Header().Set("Content-Type", "text/html; charset=utf-8")
						io.WriteString(w, faultnet.StreamHead)
						w.Write(faultnet.StreamChunk())
						w.(http.Flusher).Flush()
					}
					panic(value)
				})))
				login := faultLogin(t, "user-panic")
				want, _ := faultReference(t, srv, rec, login)
				// Everything written was flushed: the head with the
				// script, and one chunk.
				chunk := faultnet.StreamChunk()
				flushed := bytes.Index(want, chunk) + len(chunk)

				crashes := 0
				crash := func() {
					crashes++
					_, br := srv.Open(t, "/crash", cookieHeader(login))
					res, err := faultnet.ReadResponse(br)
					switch {
					case err == nil && !tc.body:
						t.Errorf("got a %d response, want none", res.StatusCode)
					case err == nil:
						n := faultnet.CheckCutOff(t, res.Body, want)
						if n != flushed {
							t.Errorf("received %d body bytes, want the %d flushed", n, flushed)
						}
					case !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF):
						t.Errorf("reading the response: %v, want the connection closed", err)
					case tc.body:
						t.Error("no response, want the flushed start of the page")
					}
					srv.Settle(t)
					if got, want := rec.take(), []Event{{Kind: EventResponse, Reason: "aborted"}}; !reflect.DeepEqual(got, want) {
						t.Errorf("events %+v, want %+v", got, want)
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
			})
		}
	}
}

// TestFaultWrapWritesAfterReturn: two visitors' pages leave goroutines
// writing to the ResponseWriter after the handler returned, which net/http
// does not support, while six other visitors load their pages through the
// same Middleware. Goroutines that wait for the request's end (net/http
// cancels its context after the handler returned) must see every call
// fail; others start as the handler returns and race with the end of the
// response. Nothing may crash or race (run with -race), and every other
// page must be byte for byte that visitor's own page.
func TestFaultWrapWritesAfterReturn(t *testing.T) {
	faultnet.NoGoroutineLeak(t)
	rec := &recorder{}
	m := newFaultMiddleware(t, rec)
	made := countStates(m)
	var late sync.WaitGroup
	var lateSucceeded atomic.Int64
	page := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, faultnet.StreamHead+"</body></html>")
	}
	srv := faultnet.Start(t, m.Wrap(faultApp(func(w http.ResponseWriter, r *http.Request) {
		page(w)
		late.Add(1)
		if r.URL.Path == "/after" {
			ctx := r.Context()
			go func() {
				defer late.Done()
				<-ctx.Done()
				lateSucceeded.Add(int64(faultnet.LateCalls(w)))
			}()
			return
		}
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
	})))

	// Each visitor's own page, loaded alone first.
	cookies := make([]*http.Cookie, 8)
	pages := make([]string, len(cookies))
	for i := range cookies {
		if i%2 == 0 {
			cookies[i] = faultLogin(t, "user-late-"+string(rune('a'+i)))
		} else {
			cookies[i] = faultSessionCookie(t, "user-late-"+string(rune('a'+i)))
		}
		want, _ := faultReference(t, srv, rec, cookies[i])
		pages[i] = string(want[:bytes.Index(want, faultnet.StreamChunk())]) + "</body></html>"
	}
	if pages[0] == pages[1] {
		t.Fatal("two visitors got the same page")
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	t.Cleanup(client.CloseIdleConnections)
	get := func(path string, c *http.Cookie) (string, error) {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if err != nil {
			return "", err
		}
		req.AddCookie(c)
		res, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return string(b), err
	}
	var requests atomic.Int64
	var wg sync.WaitGroup
	for i, c := range cookies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 30 {
				path := "/page"
				if i < 2 { // two visitors' pages misbehave, on connections the others reuse
					path = [...]string{"/after", "/racing"}[j%2]
				}
				body, err := get(path, c)
				requests.Add(1)
				switch {
				case err != nil:
					t.Errorf("%s: %v", path, err)
					return
				case path == "/page" && body != pages[i]:
					t.Errorf("visitor %d got\n%q\nwant their page\n%q", i, body, pages[i])
					return
				case path != "/page" && !(strings.HasPrefix(body, pages[i]) && strings.Trim(body[len(pages[i]):], "LEAK") == ""):
					t.Errorf("%s: body %q, want the visitor's page and at most some late bytes", path, body)
					return
				}
			}
		}()
	}
	wg.Wait()
	late.Wait()
	srv.Settle(t)
	if n := lateSucceeded.Load(); n != 0 {
		t.Errorf("%d calls made after the request was over succeeded", n)
	}
	responses := 0
	for _, e := range rec.take() {
		if e.Kind == EventResponse {
			responses++
			if e.Reason != "injected" {
				t.Errorf("response event %+v", e)
			}
		}
	}
	if int64(responses) != requests.Load() {
		t.Errorf("%d response events for %d requests", responses, requests.Load())
	}

	faultnet.CheckPooled(t, made, func() {
		if _, err := get("/after", cookies[0]); err != nil {
			t.Error(err)
		}
		late.Wait()
		srv.Settle(t)
	})
}

// TestFaultWrapHijack: a websocket-style upgrade through Wrap, with the
// http.Hijacker interface and with http.ResponseController, for a signed-in
// visitor: the handler answers 101 on the raw connection, then bytes are
// echoed both ways. The observer gets one response event, "hijacked".
func TestFaultWrapHijack(t *testing.T) {
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
			rec := &recorder{}
			m := newFaultMiddleware(t, rec)
			made := countStates(m)
			srv := faultnet.Start(t, m.Wrap(faultApp(func(w http.ResponseWriter, r *http.Request) {
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
			})))
			login := faultLogin(t, "user-hijack")

			upgrade := func() {
				conn, br := srv.Open(t, "/ws", "Upgrade: echo", "Connection: Upgrade", cookieHeader(login))
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
				srv.Settle(t)
				if got, want := rec.take(), []Event{{Kind: EventResponse, Reason: "hijacked"}}; !reflect.DeepEqual(got, want) {
					t.Errorf("events %+v, want %+v", got, want)
				}
			}
			faultnet.CheckPooled(t, made, upgrade) // every run is checked
		})
	}
}
