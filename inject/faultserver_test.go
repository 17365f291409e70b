package inject

import (
	"bytes"
	"context"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// A real net/http server on loopback and a raw TCP client, for the fault
// tests (faults_test.go).

// socketBuffer is the kernel send buffer of the server's connections and
// the receive buffer of the raw client's: small, so that a client that
// stops reading stalls the server's writes after tens of KiB, not megabytes.
const socketBuffer = 16 << 10

// faultServer is an httptest.Server whose error log is kept.
type faultServer struct {
	*httptest.Server
	log *lockedBuffer // net/http's own log: it reports handler panics
}

// startFaultServer serves h on a loopback port until the test ends.
func startFaultServer(t *testing.T, h http.Handler) *faultServer {
	t.Helper()
	s := &faultServer{Server: httptest.NewUnstartedServer(h), log: &lockedBuffer{}}
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
