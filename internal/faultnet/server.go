// Package faultnet is what the fault tests of packages inject and
// middleware share: a real net/http server on loopback with small socket
// buffers, a raw TCP client that can stall or reset its connection, a
// streamed page that never ends, and checks that nothing leaks (goroutines,
// pooled per-request state). It is internal to the repository and used by
// tests only.
package faultnet

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// socketBuffer is the kernel send buffer of the server's connections:
// small, so that a client that stops reading stalls the server's writes
// after a few hundred KiB (with the client's receive buffer), not megabytes.
// The client's receive buffer keeps its default: one below the loopback
// MSS (64 KiB) would wait for the sender's zero-window probe, 200 ms and
// more, each time the client resumes reading.
const socketBuffer = 16 << 10

// Server is an httptest.Server that keeps its error log and counts the
// handlers started and ended, normally or by a panic.
type Server struct {
	*httptest.Server
	// Log is net/http's own log: it reports handler panics.
	Log            *LockedBuffer
	started, ended atomic.Int64
}

// Start serves h on a loopback port until the test ends.
func Start(t testing.TB, h http.Handler) *Server {
	t.Helper()
	s := &Server{Log: &LockedBuffer{}}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.started.Add(1)
		defer s.ended.Add(1) // after h has released its per-request state
		h.ServeHTTP(w, r)
	}))
	s.Config.ErrorLog = log.New(s.Log, "", 0)
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

// Settle waits until every handler started has ended, failing t after
// 10 s. Call it once the client has seen its request reach the handler.
func (s *Server) Settle(t testing.TB) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); s.ended.Load() < s.started.Load(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d handlers ended after 10 s", s.ended.Load(), s.started.Load())
		}
	}
}

// Open sends a GET for path, with the given extra header lines, on a new
// connection, and returns the connection and a reader of it. Every read and
// write on it fails after 10 s, so a test cannot hang.
func (s *Server) Open(t testing.TB, path string, header ...string) (*net.TCPConn, *bufio.Reader) {
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

// ReadResponse reads the response to a GET from br.
func ReadResponse(br *bufio.Reader) (*http.Response, error) {
	return http.ReadResponse(br, &http.Request{Method: http.MethodGet})
}

// Reset closes conn with a TCP RST, as a browser tab that is closed does:
// the server's next write fails at once.
func Reset(conn *net.TCPConn) {
	_ = conn.SetLinger(0)
	_ = conn.Close()
}
