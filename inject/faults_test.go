package inject

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Proof under faults: each test runs Handler in a real net/http server on
// loopback, provokes one fault with a real client, and checks what the
// application, the client and the observer see, then that no goroutine and
// no pooled response state is left behind (see leak_test.go).

// leakPage is the page of TestFaultWritesAfterReturn.
const leakPage = "<!DOCTYPE html><html><head><title>t</title></head><body><p>good</p></body></html>"

// lateCalls uses w as an application's forgotten goroutine would, after its
// handler has returned: every way of writing, several times over. It
// returns how many calls reported success.
func lateCalls(w http.ResponseWriter) (ok int) {
	for range 20 {
		if _, err := w.Write([]byte("LEAK")); err == nil {
			ok++
		}
		if _, err := io.Copy(w, strings.NewReader("LEAK")); err == nil {
			ok++
		}
		if err := http.NewResponseController(w).Flush(); err == nil {
			ok++
		}
		w.WriteHeader(http.StatusInternalServerError)
	}
	return ok
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
	noGoroutineLeak(t)
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
			lateSucceeded.Add(int64(lateCalls(w)))
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
			lateCalls(w)
		}()
		<-started // return while the goroutine is writing
	})
	var outcomes atomic.Int64
	h := Handler(mux, constScript(testScript), MaxHeld(probeHeld),
		Observe(func(*http.Request, Outcome) { outcomes.Add(1) }))
	srv := startFaultServer(t, h)
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
	checkPooled(t, heapPerRun(40, func() { bad(); late.Wait() }))
	srv.Close()
	if outcomes.Load() != requests.Load() {
		t.Errorf("%d outcomes for %d requests", outcomes.Load(), requests.Load())
	}
}
