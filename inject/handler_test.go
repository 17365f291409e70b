package inject

import (
	"github.com/chatident/chatident/internal/scriptsafe"

	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

const simplePage = "<!DOCTYPE html><html><head><title>t</title></head><body><p>hello</p></body></html>"

func TestPlacements(t *testing.T) {
	for _, tc := range []struct {
		p    Placement
		want string
	}{
		{AfterHeadOpen, "<!DOCTYPE html><html><head>" + element + "<title>t</title></head><body><p>hello</p></body></html>"},
		{BeforeHeadClose, "<!DOCTYPE html><html><head><title>t</title>" + element + "</head><body><p>hello</p></body></html>"},
		{BeforeBodyClose, "<!DOCTYPE html><html><head><title>t</title></head><body><p>hello</p>" + element + "</body></html>"},
	} {
		t.Run(tc.p.String(), func(t *testing.T) {
			tp, out := run(t, writes(htmlType, simplePage), At(tc.p))
			if tp.body.String() != tc.want {
				t.Fatalf("body\n%q\nwant\n%q", tp.body.String(), tc.want)
			}
			if out.Reason != Injected || out.Inserted != len(element) || out.Status != 200 {
				t.Fatalf("outcome %+v", out)
			}
		})
	}
}

func TestEligibility(t *testing.T) {
	type setup = func(w http.ResponseWriter)
	for _, tc := range []struct {
		name   string
		method string
		setup  setup
		status int
		opts   []Option
		want   Reason
	}{
		{"head", http.MethodHead, htmlType, 0, nil, Method},
		{"post", http.MethodPost, htmlType, 0, nil, Injected},
		{"201", "", htmlType, 201, nil, Injected},
		{"204", "", htmlType, 204, nil, Status},
		{"206", "", htmlType, 206, nil, Status},
		{"304", "", htmlType, 304, nil, Status},
		{"302", "", htmlType, 302, nil, Status},
		{"404", "", htmlType, 404, nil, Status},
		{"500", "", htmlType, 500, nil, Status},
		{"404 allowed by Statuses", "", htmlType, 404, []Option{Statuses(func(c int) bool { return c == 404 })}, Injected},
		{"200 refused by Statuses", "", htmlType, 200, []Option{Statuses(func(c int) bool { return c == 404 })}, Status},
		{"json", "", func(w http.ResponseWriter) { w.Header().Set("Content-Type", "application/json") }, 0, nil, NotHTML},
		{"text/plain", "", func(w http.ResponseWriter) { w.Header().Set("Content-Type", "text/plain") }, 0, nil, NotHTML},
		{"upper case with params", "", func(w http.ResponseWriter) { w.Header().Set("Content-Type", " Text/HTML ; Charset=UTF-8") }, 0, nil, Injected},
		{"xhtml", "", func(w http.ResponseWriter) { w.Header().Set("Content-Type", "application/xhtml+xml") }, 0, nil, Injected},
		{"text/htmlx", "", func(w http.ResponseWriter) { w.Header().Set("Content-Type", "text/htmlx") }, 0, nil, NotHTML},
		{"suppressed type", "", func(w http.ResponseWriter) { w.Header()["Content-Type"] = nil }, 0, nil, NotHTML},
		{"gzip", "", func(w http.ResponseWriter) { htmlType(w); w.Header().Set("Content-Encoding", "gzip") }, 0, nil, Encoded},
		{"identity encoding", "", func(w http.ResponseWriter) { htmlType(w); w.Header().Set("Content-Encoding", "identity") }, 0, nil, Encoded},
		{"sniffed html", "", nil, 0, nil, Injected},
		{"transfer-encoding, no type", "", func(w http.ResponseWriter) { w.Header().Set("Transfer-Encoding", "chunked") }, 0, nil, NotHTML},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			script := func(*http.Request) []byte { calls.Add(1); return []byte(testScript) }
			app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.setup != nil {
					tc.setup(w)
				}
				if tc.status != 0 {
					w.WriteHeader(tc.status)
				}
				io.WriteString(w, simplePage[:30])
				io.WriteString(w, simplePage[30:])
			})
			var obs outcomes
			tp := newTap()
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			Handler(app, script, append(tc.opts, Observe(obs.observe))...).
				ServeHTTP(tp, httptest.NewRequest(method, "/", nil))
			out := obs.one(t)
			if out.Reason != tc.want {
				t.Fatalf("reason %q, want %q", out.Reason, tc.want)
			}
			wantCalls := int32(0)
			if tc.want == Injected {
				wantCalls = 1
			}
			if calls.Load() != wantCalls {
				t.Fatalf("script called %d times, want %d", calls.Load(), wantCalls)
			}
			injected := strings.Contains(tp.body.String(), element)
			if injected != (tc.want == Injected) {
				t.Fatalf("body %q", tp.body.String())
			}
			switch {
			case tc.method == http.MethodHead:
				if tp.body.Len() != 0 { // HEAD: no body reaches the writer
					t.Fatalf("HEAD body %q", tp.body.String())
				}
			case !injected && tp.body.String() != simplePage:
				t.Fatalf("a passed-through body changed: %q", tp.body.String())
			}
			wantStatus := tc.status
			if wantStatus == 0 {
				wantStatus = 200
			}
			if out.Status != wantStatus {
				t.Fatalf("outcome status %d, want %d", out.Status, wantStatus)
			}
		})
	}
}

func TestIneligibleResponsesAreUntouched(t *testing.T) {
	// Headers of a passed-through response are exactly the application's.
	app := writes(func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"e"`)
		w.Header().Set("Cache-Control", "public, max-age=60")
		w.Header().Set("Content-Length", "2")
	}, "{}")
	tp, _ := run(t, app)
	want := http.Header{"Content-Type": {"application/json"}, "Etag": {`"e"`},
		"Cache-Control": {"public, max-age=60"}, "Content-Length": {"2"}}
	if fmt.Sprint(tp.sent) != fmt.Sprint(want) {
		t.Fatalf("headers %v, want %v", tp.sent, want)
	}
	if n := len(tp.events); n != 2 {
		t.Fatalf("events %+v, want one WriteHeader and one Write", tp.events)
	}
}

func TestScriptCalledOnceAcrossWritesAndFlushes(t *testing.T) {
	var calls atomic.Int32
	script := func(*http.Request) []byte { calls.Add(1); return []byte(testScript) }
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		for _, c := range []string{"<html>", "<head>", "<title>", "t</title>", "</head>"} {
			io.WriteString(w, c)
			w.(http.Flusher).Flush()
		}
	})
	Handler(app, script, At(BeforeHeadClose)).ServeHTTP(newTap(), httptest.NewRequest("GET", "/", nil))
	if calls.Load() != 1 {
		t.Fatalf("script called %d times", calls.Load())
	}
}

func TestNoScript(t *testing.T) {
	for _, s := range [][]byte{nil, {}} {
		var obs outcomes
		tp := newTap()
		app := writes(func(w http.ResponseWriter) { htmlType(w); w.Header().Set("ETag", `"x"`) }, simplePage)
		Handler(app, func(*http.Request) []byte { return s }, Observe(obs.observe)).
			ServeHTTP(tp, httptest.NewRequest("GET", "/", nil))
		if out := obs.one(t); out.Reason != NoScript {
			t.Fatalf("outcome %+v", out)
		}
		if tp.body.String() != simplePage || tp.sent.Get("ETag") != `"x"` || tp.sent.Get("Vary") != "" {
			t.Fatalf("body %q, headers %v", tp.body.String(), tp.sent)
		}
	}
}

func TestBadScript(t *testing.T) {
	for _, s := range []string{
		`a="</script>"`, `a="</SCRIPT"`, `a="</ScRiPt x"`, `a="<!--"`, `<!-- x`, `x</script`,
	} {
		var obs outcomes
		tp := newTap()
		Handler(writes(htmlType, simplePage), constScript(s), Observe(obs.observe)).
			ServeHTTP(tp, httptest.NewRequest("GET", "/", nil))
		if out := obs.one(t); out.Reason != BadScript {
			t.Errorf("%q: outcome %+v", s, out)
		}
		if tp.body.String() != simplePage {
			t.Errorf("%q: body changed", s)
		}
	}
	for _, s := range []string{`a="<\/script>"`, `a="\x3C!--"`, `a = b < c`, `x="</scrip"`, `a="<!-"`} {
		if scriptsafe.BreaksOut([]byte(s)) {
			t.Errorf("%q refused, but cannot end the element", s)
		}
	}
}

func TestInjectedHeaders(t *testing.T) {
	app := writes(func(w http.ResponseWriter) {
		htmlType(w)
		h := w.Header()
		h.Set("Content-Length", fmt.Sprint(len(simplePage)))
		h.Set("ETag", `W/"v1"`)
		h.Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		h.Set("Accept-Ranges", "bytes")
		h.Set("Cache-Control", "public, max-age=300, s-maxage=600")
		h.Set("CDN-Cache-Control", "max-age=3600")
		h.Set("Surrogate-Control", "max-age=3600")
		h.Set("Vary", "Accept-Encoding")
		h.Set("X-App", "kept")
	}, simplePage)
	tp, out := run(t, app)
	want := http.Header{
		"Content-Type":   {"text/html; charset=utf-8"},
		"Content-Length": {fmt.Sprint(len(simplePage) + len(element))},
		"Cache-Control":  {"private, max-age=300"},
		"Vary":           {"Accept-Encoding, Cookie"},
		"X-App":          {"kept"},
	}
	if fmt.Sprint(tp.sent) != fmt.Sprint(want) {
		t.Fatalf("headers\n%v\nwant\n%v", tp.sent, want)
	}
	if out.Reason != Injected || tp.body.Len() != len(simplePage)+len(element) {
		t.Fatalf("outcome %+v, body %d bytes", out, tp.body.Len())
	}
}

func TestCSPNonce(t *testing.T) {
	for _, tc := range []struct {
		name, csp, wantTag string
		wantCSP            string
	}{
		{"nonce", "script-src 'nonce-YWJjZGVm' 'strict-dynamic'", `<script nonce="YWJjZGVm">`,
			"script-src 'nonce-YWJjZGVm' 'strict-dynamic'"},
		{"url-safe nonce", "default-src 'self'; script-src 'NONCE-ab_c-d=='", `<script nonce="ab_c-d==">`,
			"default-src 'self'; script-src 'NONCE-ab_c-d=='"},
		{"invalid nonce ignored", `script-src 'nonce-a"b'`, `<script>`,
			`script-src 'nonce-a"b' ` + hashSource(testScript)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := writes(func(w http.ResponseWriter) {
				htmlType(w)
				w.Header().Set("Content-Security-Policy", tc.csp)
			}, simplePage)
			tp, out := run(t, app)
			want := strings.Replace(simplePage, "<head>", "<head>"+tc.wantTag+testScript+"</script>", 1)
			if tp.body.String() != want {
				t.Fatalf("body %q", tp.body.String())
			}
			if got := tp.sent.Get("Content-Security-Policy"); got != tc.wantCSP {
				t.Fatalf("CSP %q, want %q", got, tc.wantCSP)
			}
			if out.Inserted != len(tc.wantTag)+len(testScript)+len("</script>") {
				t.Fatalf("Inserted = %d", out.Inserted)
			}
		})
	}
}

// hashSource is the CSP hash source of script, computed with the standard
// library's SHA-256 as an oracle independent of planCSP's string handling;
// csp_test.go pins it against an openssl-made vector.
func hashSource(script string) string {
	sum := sha256.Sum256([]byte(script))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

func TestCSPHashAndReportOnlyOnTheWire(t *testing.T) {
	app := writes(func(w http.ResponseWriter) {
		htmlType(w)
		w.Header().Add("Content-Security-Policy", "default-src 'self'; img-src *")
		w.Header().Add("Content-Security-Policy", "object-src 'none'")
		w.Header().Set("Content-Security-Policy-Report-Only", "script-src 'self'")
	}, simplePage)
	tp, out := run(t, app)
	h := hashSource(testScript)
	if got := tp.sent["Content-Security-Policy"]; len(got) != 2 ||
		got[0] != "default-src 'self'; script-src 'self' "+h+"; img-src *" || got[1] != "object-src 'none'" {
		t.Fatalf("CSP %q", got)
	}
	if got := tp.sent.Get("Content-Security-Policy-Report-Only"); got != "script-src 'self' "+h {
		t.Fatalf("CSP-RO %q", got)
	}
	if out.Reason != Injected {
		t.Fatalf("outcome %+v", out)
	}
}

func TestCSPBlocks(t *testing.T) {
	app := writes(func(w http.ResponseWriter) {
		htmlType(w)
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'none'")
		w.Header().Set("ETag", `"x"`)
	}, simplePage)
	tp, out := run(t, app)
	if out.Reason != CSPBlocks {
		t.Fatalf("outcome %+v", out)
	}
	if tp.body.String() != simplePage || tp.sent.Get("Content-Security-Policy") != "default-src 'self'; script-src 'none'" ||
		tp.sent.Get("ETag") != `"x"` {
		t.Fatalf("response changed: %v %q", tp.sent, tp.body.String())
	}
}

func TestSniffedTypeIsSetExplicitly(t *testing.T) {
	for _, tc := range []struct {
		name   string
		chunks []string
		flush  int // flush after this many chunks; -1 never
		want   string
		reason Reason
	}{
		{"html in one write", []string{simplePage}, -1, "text/html; charset=utf-8", Injected},
		{"html in small writes", []string{"<!DOCTYPE html>", "<html><head>", "</head></html>"}, -1, "text/html; charset=utf-8", Injected},
		{"html, 600 bytes then more", []string{"<html>" + strings.Repeat(" ", 594), "<head></head>"}, -1, "text/html; charset=utf-8", Injected},
		{"text", []string{"just some words"}, -1, "text/plain; charset=utf-8", NotHTML},
		{"png", []string{"\x89PNG\r\n\x1a\n\x00\x00"}, -1, "image/png", NotHTML},
		{"flush after a few bytes", []string{"<!DOC", "TYPE html><html><head></head></html>"}, 1, "text/plain; charset=utf-8", NotHTML},
		{"empty", nil, -1, "", NotHTML},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(200)
				for i, c := range tc.chunks {
					io.WriteString(w, c)
					if i+1 == tc.flush {
						w.(http.Flusher).Flush()
					}
				}
			})
			tp, out := run(t, app)
			if got := tp.sent.Get("Content-Type"); got != tc.want {
				t.Fatalf("Content-Type %q, want %q", got, tc.want)
			}
			if out.Reason != tc.reason {
				t.Fatalf("reason %q, want %q", out.Reason, tc.reason)
			}
		})
	}
}

// TestSniffMatchesNetHTTP serves the same untyped bodies, written the same
// way, by a bare handler and through Handler, in a real server: the
// Content-Type on the wire must be the same.
func TestSniffMatchesNetHTTP(t *testing.T) {
	bodies := map[string][]string{
		"html":         {simplePage},
		"html pieces":  {"  <ht", "ml><hea", "d></head></html>"},
		"late html":    {strings.Repeat("x", 511), "<html><head></head></html>"},
		"html at 512":  {strings.Repeat(" ", 512), "<html><head></head></html>"},
		"comment":      {"<!-- c --><head></head>"},
		"gif":          {"GIF89a......"},
		"utf-16 bom":   {"\xfe\xff\x00<\x00h"},
		"xml":          {`<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head></head></html>`},
		"binary":       {"\x00\x01\x02<html><head>"},
		"flush early":  {"<ht", "\f", "ml><head></head></html>"}, // "\f" = flush here
		"flush at end": {"<html><head></head>", "\f"},
	}
	handler := func(chunks []string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			for _, c := range chunks {
				if c == "\f" {
					w.(http.Flusher).Flush()
					continue
				}
				io.WriteString(w, c)
			}
		}
	}
	get := func(h http.Handler) string {
		srv := httptest.NewServer(h)
		defer srv.Close()
		res, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return fmt.Sprint(res.Header["Content-Type"])
	}
	for name, chunks := range bodies {
		bare := get(handler(chunks))
		wrapped := get(Handler(handler(chunks), constScript(testScript)))
		unscripted := get(Handler(handler(chunks), constScript("")))
		if wrapped != bare || unscripted != bare {
			t.Errorf("%s: net/http %s, wrapped %s, with no script %s", name, bare, wrapped, unscripted)
		}
	}
}

func TestObserverOncePerResponseAfterReturn(t *testing.T) {
	var returned atomic.Bool
	var reports atomic.Int32
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		htmlType(w)
		io.WriteString(w, simplePage)
		w.(http.Flusher).Flush()
		returned.Store(true)
	})
	h := Handler(app, constScript(testScript), Observe(func(r *http.Request, o Outcome) {
		if !returned.Load() {
			t.Error("observed before the handler returned")
		}
		reports.Add(1)
	}))
	for i := 0; i < 5; i++ {
		returned.Store(false)
		h.ServeHTTP(newTap(), httptest.NewRequest("GET", "/", nil))
	}
	if reports.Load() != 5 {
		t.Fatalf("%d reports for 5 responses", reports.Load())
	}
}

func TestHandlerRefusesBadConfiguration(t *testing.T) {
	ok := http.NotFoundHandler()
	for name, f := range map[string]func(){
		"nil next":      func() { Handler(nil, constScript("x")) },
		"nil script":    func() { Handler(ok, nil) },
		"bad placement": func() { Handler(ok, constScript("x"), At(Placement(9))) },
	} {
		if v := catch(f); v == nil {
			t.Errorf("%s: no panic", name)
		}
	}
	// MaxHeld below 1 means the default.
	if c := newConfig([]Option{MaxHeld(0)}); c.maxHeld != DefaultMaxHeld {
		t.Errorf("MaxHeld(0) gave %d", c.maxHeld)
	}
}
