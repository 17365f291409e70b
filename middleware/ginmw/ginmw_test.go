package ginmw_test

import (
	"bufio"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/internal/adaptertest"
	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/middleware/ginmw"
	"github.com/chatident/chatident/vendors"
)

func init() { gin.SetMode(gin.TestMode) }

const page = "<!doctype html><html><head><title>Shop</title></head><body><h1>Hello</h1></body></html>"

// tmplPage is what the "page" template renders for "Ann".
const tmplPage = "<!doctype html><html><head><title>Shop</title></head><body><h1>Hello, Ann</h1></body></html>"

// signIn is the application's authentication middleware: it puts the
// visitor named by the X-User header into the gin.Context.
func signIn(c *gin.Context) {
	if id := c.GetHeader("X-User"); id != "" {
		c.Set(ginmw.VisitorKey, vendors.Visitor{ID: id, Name: "Ann"})
	}
	c.Next()
}

func newEngine(t *testing.T, pre ...gin.HandlerFunc) *gin.Engine {
	t.Helper()
	r := gin.New()
	r.SetHTMLTemplate(template.Must(template.New("page").Parse(
		"<!doctype html><html><head><title>Shop</title></head><body><h1>Hello, {{.}}</h1></body></html>")))
	r.Use(pre...)
	r.Use(signIn, ginmw.Middleware(adaptertest.NewMiddleware(t)))
	return r
}

type result struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, h http.Handler, method, path string, header ...string) result {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return result{res.StatusCode, res.Header, string(body)}
}

func TestHTMLTemplate(t *testing.T) {
	r := newEngine(t)
	r.GET("/", func(c *gin.Context) { c.HTML(http.StatusOK, "page", "Ann") })

	res := do(t, r, "GET", "/", "X-User", "u-42")
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	adaptertest.AssertInjected(t, res.body, tmplPage, fmt.Sprintf(adaptertest.Identify, "u-42"))

	res = do(t, r, "GET", "/")
	adaptertest.AssertInjected(t, res.body, tmplPage, adaptertest.Anonymous)
}

func TestVisitorPointer(t *testing.T) {
	r := gin.New()
	r.Use(func(c *gin.Context) {
		switch c.Query("as") {
		case "pointer":
			c.Set(ginmw.VisitorKey, &vendors.Visitor{ID: "u-7"})
		case "nil":
			c.Set(ginmw.VisitorKey, (*vendors.Visitor)(nil))
		case "string":
			c.Set(ginmw.VisitorKey, "u-8")
		}
	}, ginmw.Middleware(adaptertest.NewMiddleware(t)))
	r.GET("/", func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(page)) })

	adaptertest.AssertInjected(t, do(t, r, "GET", "/?as=pointer").body, page, fmt.Sprintf(adaptertest.Identify, "u-7"))
	adaptertest.AssertInjected(t, do(t, r, "GET", "/?as=nil").body, page, adaptertest.Anonymous)
	adaptertest.AssertInjected(t, do(t, r, "GET", "/?as=string").body, page, adaptertest.Anonymous)
}

func TestNonHTMLUntouched(t *testing.T) {
	r := newEngine(t)
	r.GET("/text", func(c *gin.Context) { c.String(http.StatusOK, "<head>%s</head>", "plain") })
	r.GET("/json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", []byte(`{"html":"<head>"}`)) })

	res := do(t, r, "GET", "/text", "X-User", "u-1")
	if res.body != "<head>plain</head>" || !strings.HasPrefix(res.header.Get("Content-Type"), "text/plain") {
		t.Errorf("c.String: %q (%s)", res.body, res.header.Get("Content-Type"))
	}
	res = do(t, r, "GET", "/json", "X-User", "u-1")
	if res.body != `{"html":"<head>"}` {
		t.Errorf("c.Data JSON: %q", res.body)
	}
}

func TestDataHTML(t *testing.T) {
	r := newEngine(t)
	r.GET("/", func(c *gin.Context) { c.Data(http.StatusCreated, "text/html; charset=utf-8", []byte(page)) })
	res := do(t, r, "GET", "/", "X-User", "u-3")
	if res.status != http.StatusCreated {
		t.Errorf("status %d, want 201", res.status)
	}
	adaptertest.AssertInjected(t, res.body, page, fmt.Sprintf(adaptertest.Identify, "u-3"))
}

func TestFile(t *testing.T) {
	r := newEngine(t)
	r.GET("/page", func(c *gin.Context) { c.File("testdata/page.html") })
	r.GET("/style", func(c *gin.Context) { c.File("testdata/style.css") })
	html, err := os.ReadFile("testdata/page.html")
	if err != nil {
		t.Fatal(err)
	}
	css, err := os.ReadFile("testdata/style.css")
	if err != nil {
		t.Fatal(err)
	}

	res := do(t, r, "GET", "/page", "X-User", "u-4")
	adaptertest.AssertInjected(t, res.body, string(html), fmt.Sprintf(adaptertest.Identify, "u-4"))
	if cl := res.header.Get("Content-Length"); cl != "" && cl != fmt.Sprint(len(res.body)) {
		t.Errorf("Content-Length %s for a %d-byte body", cl, len(res.body))
	}

	res = do(t, r, "GET", "/style", "X-User", "u-4")
	if res.body != string(css) {
		t.Errorf("stylesheet changed: %q", res.body)
	}
	if cl := res.header.Get("Content-Length"); cl != fmt.Sprint(len(css)) {
		t.Errorf("stylesheet Content-Length %q, want %d", cl, len(css))
	}
}

// TestStream checks c.Stream end to end, and that its Flush reaches the
// client before the handler goes on: the handler waits for the client to
// have read the first part.
func TestStream(t *testing.T) {
	const part1 = "<!doctype html><html><head><title>Live</title>"
	const part2 = "</head><body>done</body></html>"
	read := make(chan struct{})
	r := newEngine(t)
	r.GET("/", func(c *gin.Context) {
		c.Header("Content-Type", "text/html; charset=utf-8")
		step := 0
		c.Stream(func(w io.Writer) bool {
			step++
			if step == 1 {
				io.WriteString(w, part1)
				return true
			}
			select {
			case <-read:
			case <-time.After(10 * time.Second):
				// Fails the test below: the client never saw part 1.
			}
			io.WriteString(w, part2)
			return false
		})
	})
	srv := httptest.NewServer(r)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/", nil)
	req.Header.Set("X-User", "u-5")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	var got strings.Builder
	for !strings.Contains(got.String(), "<title>Live</title>") {
		b, err := br.ReadByte()
		if err != nil {
			t.Fatalf("before the first part arrived: %v (have %q)", err, got.String())
		}
		got.WriteByte(b)
	}
	close(read)
	rest, err := io.ReadAll(br)
	if err != nil {
		t.Fatal(err)
	}
	got.Write(rest)
	adaptertest.AssertInjected(t, got.String(), part1+part2, fmt.Sprintf(adaptertest.Identify, "u-5"))
}

func TestStatusCodes(t *testing.T) {
	r := newEngine(t)
	r.GET("/missing", func(c *gin.Context) { c.HTML(http.StatusNotFound, "page", "Ann") })
	r.GET("/empty", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	r.GET("/teapot", func(c *gin.Context) { c.Status(http.StatusTeapot) })
	r.GET("/moved", func(c *gin.Context) { c.Redirect(http.StatusFound, "/elsewhere") })

	if res := do(t, r, "GET", "/missing", "X-User", "u-6"); res.status != http.StatusNotFound || res.body != tmplPage {
		t.Errorf("404 page: %d %q, want it untouched", res.status, res.body)
	}
	if res := do(t, r, "GET", "/empty"); res.status != http.StatusNoContent || res.body != "" {
		t.Errorf("c.Status(204): %d %q", res.status, res.body)
	}
	// A status set with c.Status alone is sent when the chain ends.
	if res := do(t, r, "GET", "/teapot"); res.status != http.StatusTeapot || res.body != "" {
		t.Errorf("c.Status(418): %d %q", res.status, res.body)
	}
	res := do(t, r, "GET", "/moved")
	if res.status != http.StatusFound || res.header.Get("Location") != "/elsewhere" {
		t.Errorf("redirect: %d Location %q", res.status, res.header.Get("Location"))
	}
}

// TestWriterState checks what middleware around the adapter sees: inside,
// Gin's writer state describes what the application wrote; outside, what
// was sent.
func TestWriterState(t *testing.T) {
	type state struct {
		writtenBefore, writtenAfter bool
		size, status                int
	}
	var inner, outer state
	record := func(s *state) gin.HandlerFunc {
		return func(c *gin.Context) {
			s.writtenBefore = c.Writer.Written()
			c.Next()
			s.writtenAfter, s.size, s.status = c.Writer.Written(), c.Writer.Size(), c.Writer.Status()
		}
	}
	r := gin.New()
	r.Use(record(&outer), signIn, ginmw.Middleware(adaptertest.NewMiddleware(t)), record(&inner))
	r.GET("/", func(c *gin.Context) { c.Data(http.StatusAccepted, "text/html", []byte(page)) })

	res := do(t, r, "GET", "/", "X-User", "u-9")
	want := state{false, true, len(page), http.StatusAccepted}
	if inner != want {
		t.Errorf("after the adapter: %+v, want %+v", inner, want)
	}
	want.size = len(res.body)
	if outer != want {
		t.Errorf("before the adapter: %+v, want %+v", outer, want)
	}
	adaptertest.AssertInjected(t, res.body, page, fmt.Sprintf(adaptertest.Identify, "u-9"))
}

func TestAbortWithStatus(t *testing.T) {
	handled := false
	r := newEngine(t)
	r.Use(func(c *gin.Context) { c.AbortWithStatus(http.StatusUnauthorized) })
	r.GET("/", func(c *gin.Context) { handled = true; c.HTML(http.StatusOK, "page", "Ann") })
	res := do(t, r, "GET", "/")
	if res.status != http.StatusUnauthorized || res.body != "" || handled {
		t.Errorf("AbortWithStatus: %d %q, handler ran: %v", res.status, res.body, handled)
	}
}

// TestErrors uses Gin's error handling: the handler records an error with
// c.Error and an error middleware after the adapter answers for it.
func TestErrors(t *testing.T) {
	r := newEngine(t)
	r.Use(func(c *gin.Context) {
		c.Next()
		if err := c.Errors.Last(); err != nil {
			c.JSON(http.StatusInternalServerError, gin.H{"error": err.Error()})
		}
	})
	r.GET("/", func(c *gin.Context) { _ = c.Error(errors.New("stock service down")) })
	res := do(t, r, "GET", "/", "X-User", "u-10")
	if res.status != http.StatusInternalServerError || res.body != `{"error":"stock service down"}` {
		t.Errorf("error response: %d %q", res.status, res.body)
	}
}

func TestPanicRecovered(t *testing.T) {
	panicky := func(c *gin.Context) {
		c.Header("Content-Type", "text/html; charset=utf-8")
		panic("template data missing")
	}
	for name, r := range map[string]*gin.Engine{
		"recovery before": newEngine(t, gin.RecoveryWithWriter(io.Discard)),
		"recovery after": func() *gin.Engine {
			r := newEngine(t)
			r.Use(gin.RecoveryWithWriter(io.Discard))
			return r
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			r.GET("/", panicky)
			res := do(t, r, "GET", "/", "X-User", "u-11")
			if res.status != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", res.status)
			}
			if res.body != "" {
				t.Errorf("body %q, want none", res.body)
			}
			// The engine still serves the next request.
			r.GET("/ok", func(c *gin.Context) { c.Data(http.StatusOK, "text/html", []byte(page)) })
			adaptertest.AssertInjected(t, do(t, r, "GET", "/ok", "X-User", "u-12").body, page, fmt.Sprintf(adaptertest.Identify, "u-12"))
		})
	}
}

// TestEndpoint checks that chatident answers its own endpoints, with a 200
// even where Gin would have preset 404, and that the chain after the
// adapter never runs for them.
func TestEndpoint(t *testing.T) {
	after := 0
	r := newEngine(t)
	r.Use(func(c *gin.Context) { after++ })
	r.GET("/_chatident/*rest", func(c *gin.Context) { c.String(http.StatusTeapot, "app route") })
	unrouted := newEngine(t)

	for name, h := range map[string]*gin.Engine{"route": r, "no route": unrouted} {
		t.Run(name, func(t *testing.T) {
			res := do(t, h, "GET", "/_chatident/fake/token", "X-User", "u-13")
			if res.status != http.StatusOK || res.body != `{"token":"t-u-13"}` {
				t.Errorf("endpoint: %d %q", res.status, res.body)
			}
		})
	}
	if after != 0 {
		t.Errorf("the chain after the adapter ran %d times for an endpoint", after)
	}
}

func TestNoRoute(t *testing.T) {
	r := newEngine(t)
	if res := do(t, r, "GET", "/nowhere"); res.status != http.StatusNotFound || res.body != "404 page not found" {
		t.Errorf("default 404: %d %q", res.status, res.body)
	}
	r.NoRoute(func(c *gin.Context) { c.HTML(http.StatusNotFound, "page", "Ann") })
	if res := do(t, r, "GET", "/nowhere"); res.status != http.StatusNotFound || res.body != tmplPage {
		t.Errorf("NoRoute page: %d %q", res.status, res.body)
	}
	// A NoRoute handler that writes without a status keeps Gin's 404.
	r2 := newEngine(t)
	r2.NoRoute(func(c *gin.Context) { c.Writer.WriteString("gone") })
	if res := do(t, r2, "GET", "/nowhere"); res.status != http.StatusNotFound || res.body != "gone" {
		t.Errorf("NoRoute write: %d %q", res.status, res.body)
	}
}

// TestRequestContext checks that the chain gets the request chatident
// passes on, which carries the visitor.
func TestRequestContext(t *testing.T) {
	r := newEngine(t)
	r.GET("/", func(c *gin.Context) {
		v, _ := middleware.VisitorFrom(c.Request.Context())
		c.String(http.StatusOK, "visitor="+v.ID)
	})
	if res := do(t, r, "GET", "/", "X-User", "u-16"); res.body != "visitor=u-16" {
		t.Errorf("handler saw %q", res.body)
	}
}

// TestErrorPageInjected checks that a page written by an error middleware
// after the adapter goes through chatident: with every status eligible, the
// 404 page gets the script.
func TestErrorPageInjected(t *testing.T) {
	m, err := middleware.New(middleware.Config{
		Vendors: []vendors.Vendor{adaptertest.Vendor{}},
		SignOut: middleware.SignOut{Disabled: true},
		Inject:  []inject.Option{inject.Statuses(func(int) bool { return true })},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	r.Use(signIn, ginmw.Middleware(m), func(c *gin.Context) {
		c.Next()
		if c.Errors.Last() != nil {
			c.Data(http.StatusNotFound, "text/html; charset=utf-8", []byte(page))
		}
	})
	r.GET("/gone", func(c *gin.Context) { _ = c.Error(errors.New("no such product")) })
	res := do(t, r, "GET", "/gone", "X-User", "u-15")
	if res.status != http.StatusNotFound {
		t.Errorf("status %d, want 404", res.status)
	}
	adaptertest.AssertInjected(t, res.body, page, fmt.Sprintf(adaptertest.Identify, "u-15"))
}

func TestHijack(t *testing.T) {
	r := newEngine(t)
	r.GET("/raw", func(c *gin.Context) {
		conn, buf, err := c.Writer.Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\nraw ok")
		buf.Flush()
	})
	if res := do(t, r, "GET", "/raw"); res.status != http.StatusOK || res.body != "raw ok" {
		t.Errorf("hijacked: %d %q", res.status, res.body)
	}
}

func TestMiddlewareNil(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Middleware(nil) did not panic")
		}
	}()
	ginmw.Middleware(nil)
}

// TestPusher checks that c.Writer.Pusher finds HTTP/2's pusher under
// chatident's writer.
func TestPusher(t *testing.T) {
	var pusher http.Pusher
	r := newEngine(t)
	r.GET("/", func(c *gin.Context) {
		pusher = c.Writer.Pusher()
		c.Data(http.StatusOK, "text/html", []byte(page))
	})
	srv := httptest.NewUnstartedServer(r)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.ProtoMajor != 2 {
		t.Fatalf("served over %s, want HTTP/2", res.Proto)
	}
	if pusher == nil {
		t.Error("Pusher() = nil under HTTP/2")
	}
	adaptertest.AssertInjected(t, string(body), page, adaptertest.Anonymous)
}
