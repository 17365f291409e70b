package inject

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// recResponse is a Response that records the calls it gets, in order.
type recResponse struct {
	code, data string
	cookie     bool // Commit adds a Set-Cookie when the script is or may be placed
	calls      []string
	commits    []Commit
	done       []Outcome
}

func (r *recResponse) Script(http.Header) Insertion {
	r.calls = append(r.calls, "script")
	return Insertion{Code: []byte(r.code), Data: []byte(r.data)}
}

func (r *recResponse) Commit(h http.Header, c Commit) bool {
	r.calls = append(r.calls, "commit")
	r.commits = append(r.commits, c)
	if r.cookie && c != Without {
		h.Add("Set-Cookie", "seen=1")
		return true
	}
	return false
}

func (r *recResponse) Done(o Outcome) {
	r.calls = append(r.calls, "done")
	r.done = append(r.done, o)
}

func serveFor(h http.Handler) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	return w
}

func TestHandlerForInsertsCodeAndData(t *testing.T) {
	resp := &recResponse{code: testScript, data: `{"a":"x&y'z"}`}
	app := writes(func(w http.ResponseWriter) {
		htmlType(w)
		w.Header().Set("Content-Length", strconv.Itoa(len(simplePage)))
	}, simplePage)
	w := serveFor(HandlerFor(app, func(http.ResponseWriter, *http.Request) Response { return resp }))

	elem := `<script data-chatident='{"a":"x&amp;y&#39;z"}'>` + testScript + `</script>`
	if want := strings.Replace(simplePage, "<head>", "<head>"+elem, 1); w.Body.String() != want {
		t.Errorf("body = %q\nwant %q", w.Body, want)
	}
	if cl := w.Header().Get("Content-Length"); cl != strconv.Itoa(w.Body.Len()) {
		t.Errorf("Content-Length %s, body %d bytes", cl, w.Body.Len())
	}
	if got := strings.Join(resp.calls, ","); got != "script,commit,done" {
		t.Errorf("calls %s, want script,commit,done", got)
	}
	if resp.commits[0] != Inserted || resp.done[0].Reason != Injected || resp.done[0].Inserted != len(elem) {
		t.Errorf("commit %v, outcome %+v; want Inserted, Injected of %d bytes", resp.commits, resp.done, len(elem))
	}
}

// The hash a policy gets covers the code alone, so it is the same whatever
// the data.
func TestHandlerForHashIgnoresData(t *testing.T) {
	var policies []string
	for _, data := range []string{`{"id":"1"}`, `{"id":"2"}`} {
		resp := &recResponse{code: testScript, data: data}
		app := writes(func(w http.ResponseWriter) {
			htmlType(w)
			w.Header().Set("Content-Security-Policy", "script-src 'self'")
		}, simplePage)
		w := serveFor(HandlerFor(app, func(http.ResponseWriter, *http.Request) Response { return resp }))
		policies = append(policies, w.Header().Get("Content-Security-Policy"))
	}
	if want := "script-src 'self' " + hashSource(testScript); policies[0] != want || policies[1] != want {
		t.Errorf("policies %q, want both %q", policies, want)
	}
}

func TestHandlerForCommit(t *testing.T) {
	tests := []struct {
		name   string
		app    http.Handler
		commit Commit
		reason Reason
		cookie bool
	}{
		{"no marker", writes(htmlType, "<p>no head here</p>"), Without, NoMarker, false},
		{"flushed before the marker", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			htmlType(w)
			io.WriteString(w, "<!doctype html><html>")
			w.(http.Flusher).Flush()
			io.WriteString(w, "<head></head><body>x</body></html>")
		}), Maybe, Injected, true},
		{"flushed, marker never found", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			htmlType(w)
			io.WriteString(w, "<!doctype html>")
			w.(http.Flusher).Flush()
			io.WriteString(w, "<!-- no more -->")
		}), Maybe, NoMarker, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &recResponse{code: testScript, cookie: true}
			w := serveFor(HandlerFor(tt.app, func(http.ResponseWriter, *http.Request) Response { return resp }, At(BeforeBodyClose)))
			if len(resp.commits) != 1 || resp.commits[0] != tt.commit || len(resp.done) != 1 || resp.done[0].Reason != tt.reason {
				t.Errorf("commits %v, outcome %+v; want %v and %s", resp.commits, resp.done, tt.commit, tt.reason)
			}
			if got := w.Header().Get("Set-Cookie") != ""; got != tt.cookie {
				t.Errorf("Set-Cookie on the wire %v, want %v", got, tt.cookie)
			}
			if tt.cookie && !strings.Contains(w.Header().Get("Cache-Control"), "private") {
				t.Errorf("a cookie for one visitor without private caching: %v", w.Header())
			}
		})
	}
}

// A Response that is not eligible is never asked for a script nor told of a
// commit, and always hears the outcome; open returning nil is NoScript.
func TestHandlerForIneligibleAndNil(t *testing.T) {
	resp := &recResponse{code: testScript}
	app := writes(func(w http.ResponseWriter) { w.Header().Set("Content-Type", "application/json") }, `{}`)
	serveFor(HandlerFor(app, func(http.ResponseWriter, *http.Request) Response { return resp }))
	if got := strings.Join(resp.calls, ","); got != "done" || resp.done[0].Reason != NotHTML {
		t.Errorf("calls %s, outcome %+v; want done only, NotHTML", got, resp.done)
	}

	var obs outcomes
	w := serveFor(HandlerFor(writes(htmlType, simplePage),
		func(http.ResponseWriter, *http.Request) Response { return nil }, Observe(obs.observe)))
	if w.Body.String() != simplePage || obs.one(t).Reason != NoScript {
		t.Errorf("nil Response: body %q", w.Body)
	}
}

func TestCheckOptions(t *testing.T) {
	if err := CheckOptions(At(BeforeBodyClose), MaxHeld(10)); err != nil {
		t.Errorf("valid options: %v", err)
	}
	if err := CheckOptions(At(9)); err == nil || !strings.Contains(err.Error(), "Placement(9)") {
		t.Errorf("At(9): %v", err)
	}
}

// TestSafeCodeRemembersOnlyTheSameBytes: one handler, constant safe code,
// then other code that could end its element: the check is remembered for
// the first array only.
func TestSafeCodeRemembersOnlyTheSameBytes(t *testing.T) {
	safe, bad := []byte(testScript), []byte(`x="</script>"`)
	var code []byte
	var last Outcome
	h := HandlerFor(writes(htmlType, simplePage), func(http.ResponseWriter, *http.Request) Response {
		return &codeResponse{code: code, done: &last}
	})
	for _, c := range [][]byte{safe, safe, bad, safe} {
		code = c
		serveFor(h)
		want := Injected
		if &c[0] == &bad[0] {
			want = BadScript
		}
		if last.Reason != want {
			t.Errorf("code %q: %s, want %s", c, last.Reason, want)
		}
	}
}

// codeResponse inserts code as given, the same array each time.
type codeResponse struct {
	code []byte
	done *Outcome
}

func (c *codeResponse) Script(http.Header) Insertion    { return Insertion{Code: c.code} }
func (c *codeResponse) Commit(http.Header, Commit) bool { return false }
func (c *codeResponse) Done(o Outcome)                  { *c.done = o }
