package echomw_test

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	echomiddleware "github.com/labstack/echo/v4/middleware"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/internal/adaptertest"
	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/middleware/echomw"
	"github.com/chatident/chatident/vendors"
)

const page = "<!doctype html><html><head><title>Shop</title></head><body><h1>Hello</h1></body></html>"

// tmplPage is what the "page" template renders for "Ann".
const tmplPage = "<!doctype html><html><head><title>Shop</title></head><body><h1>Hello, Ann</h1></body></html>"

type renderer struct{ t *template.Template }

func (r renderer) Render(w io.Writer, name string, data any, _ echo.Context) error {
	return r.t.ExecuteTemplate(w, name, data)
}

// signIn is the application's authentication middleware: it puts the
// visitor named by the X-User header into the echo.Context.
func signIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if id := c.Request().Header.Get("X-User"); id != "" {
			c.Set(echomw.VisitorKey, vendors.Visitor{ID: id, Name: "Ann"})
		}
		return next(c)
	}
}

func newEcho(t *testing.T, pre ...echo.MiddlewareFunc) *echo.Echo {
	t.Helper()
	e := echo.New()
	e.Logger.SetOutput(io.Discard)
	e.Renderer = renderer{template.Must(template.New("page").Parse(
		"<!doctype html><html><head><title>Shop</title></head><body><h1>Hello, {{.}}</h1></body></html>"))}
	e.Use(pre...)
	e.Use(signIn, echomw.Middleware(adaptertest.NewMiddleware(t)))
	return e
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

func TestHTML(t *testing.T) {
	e := newEcho(t)
	e.GET("/", func(c echo.Context) error { return c.HTML(http.StatusOK, page) })
	e.GET("/render", func(c echo.Context) error { return c.Render(http.StatusOK, "page", "Ann") })

	res := do(t, e, "GET", "/", "X-User", "u-42")
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	adaptertest.AssertInjected(t, res.body, page, fmt.Sprintf(adaptertest.Identify, "u-42"))
	adaptertest.AssertInjected(t, do(t, e, "GET", "/").body, page, adaptertest.Anonymous)
	adaptertest.AssertInjected(t, do(t, e, "GET", "/render", "X-User", "u-43").body, tmplPage, fmt.Sprintf(adaptertest.Identify, "u-43"))
}

func TestVisitorPointer(t *testing.T) {
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			switch c.QueryParam("as") {
			case "pointer":
				c.Set(echomw.VisitorKey, &vendors.Visitor{ID: "u-7"})
			case "nil":
				c.Set(echomw.VisitorKey, (*vendors.Visitor)(nil))
			case "string":
				c.Set(echomw.VisitorKey, "u-8")
			}
			return next(c)
		}
	}, echomw.Middleware(adaptertest.NewMiddleware(t)))
	e.GET("/", func(c echo.Context) error { return c.HTML(http.StatusOK, page) })

	adaptertest.AssertInjected(t, do(t, e, "GET", "/?as=pointer").body, page, fmt.Sprintf(adaptertest.Identify, "u-7"))
	adaptertest.AssertInjected(t, do(t, e, "GET", "/?as=nil").body, page, adaptertest.Anonymous)
	adaptertest.AssertInjected(t, do(t, e, "GET", "/?as=string").body, page, adaptertest.Anonymous)
}

func TestNonHTMLUntouched(t *testing.T) {
	e := newEcho(t)
	e.GET("/text", func(c echo.Context) error { return c.String(http.StatusOK, "<head>plain</head>") })
	e.GET("/json", func(c echo.Context) error { return c.JSONBlob(http.StatusOK, []byte(`{"html":"<head>"}`)) })

	res := do(t, e, "GET", "/text", "X-User", "u-1")
	if res.body != "<head>plain</head>" || !strings.HasPrefix(res.header.Get("Content-Type"), "text/plain") {
		t.Errorf("c.String: %q (%s)", res.body, res.header.Get("Content-Type"))
	}
	if res := do(t, e, "GET", "/json", "X-User", "u-1"); res.body != `{"html":"<head>"}` {
		t.Errorf("c.JSONBlob: %q", res.body)
	}
}

func TestStream(t *testing.T) {
	e := newEcho(t)
	e.GET("/", func(c echo.Context) error {
		return c.Stream(http.StatusOK, "text/html; charset=utf-8", strings.NewReader(page))
	})
	adaptertest.AssertInjected(t, do(t, e, "GET", "/", "X-User", "u-2").body, page, fmt.Sprintf(adaptertest.Identify, "u-2"))
}

// TestFlush checks that Response.Flush reaches the client before the
// handler goes on: the handler waits for the client to have read the first
// part.
func TestFlush(t *testing.T) {
	const part1 = "<!doctype html><html><head><title>Live</title>"
	const part2 = "</head><body>done</body></html>"
	read := make(chan struct{})
	e := newEcho(t)
	e.GET("/", func(c echo.Context) error {
		res := c.Response()
		res.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(res, part1)
		res.Flush()
		select {
		case <-read:
		case <-time.After(10 * time.Second):
			// Fails the test below: the client never saw part 1.
		}
		_, err := io.WriteString(res, part2)
		return err
	})
	srv := httptest.NewServer(e)
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

func TestFile(t *testing.T) {
	e := newEcho(t)
	e.GET("/page", func(c echo.Context) error { return c.File("testdata/page.html") })
	e.GET("/style", func(c echo.Context) error { return c.File("testdata/style.css") })
	html, err := os.ReadFile("testdata/page.html")
	if err != nil {
		t.Fatal(err)
	}
	css, err := os.ReadFile("testdata/style.css")
	if err != nil {
		t.Fatal(err)
	}

	res := do(t, e, "GET", "/page", "X-User", "u-4")
	adaptertest.AssertInjected(t, res.body, string(html), fmt.Sprintf(adaptertest.Identify, "u-4"))
	if cl := res.header.Get("Content-Length"); cl != "" && cl != fmt.Sprint(len(res.body)) {
		t.Errorf("Content-Length %s for a %d-byte body", cl, len(res.body))
	}
	res = do(t, e, "GET", "/style", "X-User", "u-4")
	if res.body != string(css) {
		t.Errorf("stylesheet changed: %q", res.body)
	}
	if cl := res.header.Get("Content-Length"); cl != fmt.Sprint(len(css)) {
		t.Errorf("stylesheet Content-Length %q, want %d", cl, len(css))
	}
}

func TestStatusCodes(t *testing.T) {
	e := newEcho(t)
	e.GET("/missing", func(c echo.Context) error { return c.HTML(http.StatusNotFound, page) })
	e.GET("/created", func(c echo.Context) error { return c.HTML(http.StatusCreated, page) })
	e.GET("/empty", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	e.GET("/moved", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/elsewhere") })

	if res := do(t, e, "GET", "/missing", "X-User", "u-6"); res.status != http.StatusNotFound || res.body != page {
		t.Errorf("404 page: %d %q, want it untouched", res.status, res.body)
	}
	res := do(t, e, "GET", "/created", "X-User", "u-6")
	if res.status != http.StatusCreated {
		t.Errorf("201 page: status %d", res.status)
	}
	adaptertest.AssertInjected(t, res.body, page, fmt.Sprintf(adaptertest.Identify, "u-6"))
	if res := do(t, e, "GET", "/empty"); res.status != http.StatusNoContent || res.body != "" {
		t.Errorf("NoContent: %d %q", res.status, res.body)
	}
	res = do(t, e, "GET", "/moved")
	if res.status != http.StatusFound || res.header.Get("Location") != "/elsewhere" {
		t.Errorf("redirect: %d Location %q", res.status, res.header.Get("Location"))
	}
}

func TestHTTPErrorHandler(t *testing.T) {
	var returned error
	e := newEcho(t, func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { returned = next(c); return returned }
	})
	e.GET("/forbidden", func(c echo.Context) error { return echo.NewHTTPError(http.StatusForbidden, "members only") })
	res := do(t, e, "GET", "/forbidden", "X-User", "u-14")
	if res.status != http.StatusForbidden || res.body != "{\"message\":\"members only\"}\n" {
		t.Errorf("default error handler: %d %q", res.status, res.body)
	}
	// Middleware before the adapter still sees the error.
	if he, ok := returned.(*echo.HTTPError); !ok || he.Code != http.StatusForbidden {
		t.Errorf("error returned through the adapter: %v", returned)
	}

	// A custom handler that renders an HTML error page, called once.
	calls := 0
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		calls++
		code := http.StatusInternalServerError
		if he, ok := err.(*echo.HTTPError); ok {
			code = he.Code
		}
		c.HTML(code, page)
	}
	res = do(t, e, "GET", "/forbidden", "X-User", "u-14")
	if res.status != http.StatusForbidden || res.body != page || calls != 1 {
		t.Errorf("custom error page: %d %q, handler wrote %d times", res.status, res.body, calls)
	}
	// Routing errors go through the same handler.
	calls = 0
	res = do(t, e, "GET", "/nowhere")
	if res.status != http.StatusNotFound || res.body != page || calls != 1 {
		t.Errorf("not found page: %d %q, handler wrote %d times", res.status, res.body, calls)
	}
}

// TestErrorPageInjected checks that an error page rendered by the
// HTTPErrorHandler goes through chatident: with every status eligible, the
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
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if !c.Response().Committed {
			c.HTML(http.StatusNotFound, page)
		}
	}
	e.Use(signIn, echomw.Middleware(m))
	e.GET("/gone", func(c echo.Context) error { return echo.ErrNotFound })
	res := do(t, e, "GET", "/gone", "X-User", "u-15")
	if res.status != http.StatusNotFound {
		t.Errorf("status %d, want 404", res.status)
	}
	adaptertest.AssertInjected(t, res.body, page, fmt.Sprintf(adaptertest.Identify, "u-15"))
}

// TestRequestContext checks that the chain gets the request chatident
// passes on, which carries the visitor.
func TestRequestContext(t *testing.T) {
	e := newEcho(t)
	e.GET("/", func(c echo.Context) error {
		v, _ := middleware.VisitorFrom(c.Request().Context())
		return c.String(http.StatusOK, "visitor="+v.ID)
	})
	if res := do(t, e, "GET", "/", "X-User", "u-16"); res.body != "visitor=u-16" {
		t.Errorf("handler saw %q", res.body)
	}
}

func TestPanicRecovered(t *testing.T) {
	recoverMW := echomiddleware.RecoverWithConfig(echomiddleware.RecoverConfig{DisablePrintStack: true})
	for name, e := range map[string]*echo.Echo{
		"recover before": newEcho(t, recoverMW),
		"recover after": func() *echo.Echo {
			e := newEcho(t)
			e.Use(recoverMW)
			return e
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			e.GET("/", func(c echo.Context) error {
				c.Response().Header().Set("Content-Type", "text/html; charset=utf-8")
				panic("template data missing")
			})
			res := do(t, e, "GET", "/", "X-User", "u-11")
			if res.status != http.StatusInternalServerError || res.body != "{\"message\":\"Internal Server Error\"}\n" {
				t.Errorf("recovered panic: %d %q", res.status, res.body)
			}
			e.GET("/ok", func(c echo.Context) error { return c.HTML(http.StatusOK, page) })
			adaptertest.AssertInjected(t, do(t, e, "GET", "/ok", "X-User", "u-12").body, page, fmt.Sprintf(adaptertest.Identify, "u-12"))
		})
	}
}

// TestResponseState checks what middleware around the adapter sees: inside,
// a Response describing what the application wrote; outside, the original,
// describing what was sent, with its Before hooks run.
func TestResponseState(t *testing.T) {
	type state struct {
		committedBefore, committedAfter bool
		size                            int64
		status                          int
	}
	var inner, outer state
	record := func(s *state, hook bool) echo.MiddlewareFunc {
		return func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				res := c.Response()
				if hook {
					res.Before(func() { res.Header().Set("X-Before", "ran") })
				}
				s.committedBefore = res.Committed
				err := next(c)
				s.committedAfter, s.size, s.status = res.Committed, res.Size, res.Status
				return err
			}
		}
	}
	e := echo.New()
	e.Use(record(&outer, true), signIn, echomw.Middleware(adaptertest.NewMiddleware(t)), record(&inner, false))
	e.GET("/", func(c echo.Context) error { return c.HTML(http.StatusAccepted, page) })

	res := do(t, e, "GET", "/", "X-User", "u-9")
	want := state{false, true, int64(len(page)), http.StatusAccepted}
	if inner != want {
		t.Errorf("after the adapter: %+v, want %+v", inner, want)
	}
	want.size = int64(len(res.body))
	if outer != want {
		t.Errorf("before the adapter: %+v, want %+v", outer, want)
	}
	if res.header.Get("X-Before") != "ran" {
		t.Errorf("the original Response's Before hook did not run")
	}
	adaptertest.AssertInjected(t, res.body, page, fmt.Sprintf(adaptertest.Identify, "u-9"))
}

// TestEndpoint checks that chatident answers its own endpoints and that the
// chain after the adapter never runs for them, routed or not.
func TestEndpoint(t *testing.T) {
	after := 0
	e := newEcho(t)
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { after++; return next(c) }
	})
	e.GET("/_chatident/*", func(c echo.Context) error { return c.String(http.StatusTeapot, "app route") })
	unrouted := newEcho(t)

	for name, h := range map[string]*echo.Echo{"route": e, "no route": unrouted} {
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

func TestHijack(t *testing.T) {
	e := newEcho(t)
	e.GET("/raw", func(c echo.Context) error {
		conn, buf, err := c.Response().Hijack()
		if err != nil {
			return err
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\nraw ok")
		return buf.Flush()
	})
	if res := do(t, e, "GET", "/raw"); res.status != http.StatusOK || res.body != "raw ok" {
		t.Errorf("hijacked: %d %q", res.status, res.body)
	}
}

func TestMiddlewareNil(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Middleware(nil) did not panic")
		}
	}()
	echomw.Middleware(nil)
}
