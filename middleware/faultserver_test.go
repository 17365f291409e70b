package middleware

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A real net/http server on loopback and a raw TCP client, for the fault
// tests (faults_test.go, hostile_tokens_test.go).

// socketBuffer is the kernel send buffer of the server's connections:
// small, so that a client that stops reading stalls the server's writes
// after a few hundred KiB (with the client's receive buffer), not megabytes.
// The client's receive buffer keeps its default: one below the loopback
// MSS (64 KiB) would wait for the sender's zero-window probe, 200 ms and
// more, each time the client resumes reading.
const socketBuffer = 16 << 10

// faultServer is an httptest.Server that keeps its error log and counts
// the handlers started and ended, normally or by a panic.
type faultServer struct {
	*httptest.Server
	log            *lockedBuffer // net/http's own log: it reports handler panics
	started, ended atomic.Int64
}

// startFaultServer serves h on a loopback port until the test ends.
func startFaultServer(t *testing.T, h http.Handler) *faultServer {
	t.Helper()
	s := &faultServer{log: &lockedBuffer{}}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.started.Add(1)
		defer s.ended.Add(1) // after Wrap's handler has released its state
		h.ServeHTTP(w, r)
	}))
	s.Config.ErrorLog = log.New(s.log, "", 0)
	s.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetWriteBuffer(socketBuffer)
		}
		return ctx
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// settle waits until every handler started has ended, failing t after
// 10 s. Call it once the client has seen its request reach the handler.
func (s *faultServer) settle(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); s.ended.Load() < s.started.Load(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d handlers ended after 10 s", s.ended.Load(), s.started.Load())
		}
	}
}

// open sends a GET for path, with the given extra header lines, on a new
// connection, and returns the connection and a reader of it. Every read and
// write on it fails after 10 s, so a test cannot hang.
func (s *faultServer) open(t *testing.T, path string, header ...string) (*net.TCPConn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", s.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn := c.(*net.TCPConn)
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	var req strings.Builder
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: example.test\r\n", path)
	for _, h := range header {
		req.WriteString(h + "\r\n")
	}
	req.WriteString("\r\n")
	if _, err := conn.Write([]byte(req.String())); err != nil {
		t.Fatal(err)
	}
	return conn, bufio.NewReaderSize(conn, 4<<10)
}

// readResponse reads the response to a GET from br.
func readResponse(br *bufio.Reader) (*http.Response, error) {
	return http.ReadResponse(br, &http.Request{Method: http.MethodGet})
}

// reset closes conn with a TCP RST, as a browser tab that is closed does:
// the server's next write fails at once.
func reset(conn *net.TCPConn) {
	_ = conn.SetLinger(0)
	_ = conn.Close()
}

// cookieHeader returns c as a request header line.
func cookieHeader(c *http.Cookie) string {
	return "Cookie: " + c.Name + "=" + c.Value
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// within returns the next value from ch, failing t if none comes within
// 10 s: a fault test must end even when the fault it provokes hangs.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("%s: nothing after 10 s", what)
		panic("unreachable")
	}
}

// checkBodyPrefix reads body until it fails or at least limit bytes have come,
// and fails t unless they are the start of want. It returns how many bytes
// came and the error that ended the body, if any.
func checkBodyPrefix(t *testing.T, body io.Reader, want []byte, limit int) (n int, err error) {
	t.Helper()
	buf := make([]byte, 32<<10)
	for n < limit {
		m, err := body.Read(buf)
		if n+m > len(want) {
			t.Fatalf("received %d body bytes, more than the test expects to see", n+m)
		}
		if got, want := buf[:m], want[n:n+m]; !bytes.Equal(got, want) {
			i := 0
			for got[i] == want[i] {
				i++
			}
			t.Errorf("received body differs from the page at byte %d: %q", n+i, got[i:min(i+40, m)])
			return n + m, nil
		}
		n += m
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
