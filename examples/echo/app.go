package main

import (
	"crypto/rand"
	"html/template"
	"io"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	echomiddleware "github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/chatident/chatident/metrics"
	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/middleware/echomw"
	"github.com/chatident/chatident/vendors"
)

const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>chatident with Echo</title></head>
<body>
<h1>chatident with Echo</h1>
{{if .}}<p>Signed in as <b>{{.}}</b>. <a href="/">Sign out</a></p>
{{else}}<p>Anonymous. <a href="/?user=ann">Sign in as ann</a></p>
{{end}}<p>What chatident told Webim about you (window.webim_visitor):</p>
<pre id="identity"></pre>
<script>document.getElementById("identity").textContent = JSON.stringify(window.webim_visitor, null, 2);</script>
<p><a href="/metrics">Metrics</a></p>
</body></html>
`

// newApp returns the example's Echo server: a sign-in stand-in, chatident,
// the page and the metrics.
func newApp(log *slog.Logger) (http.Handler, error) {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		return nil, err
	}
	mw, err := middleware.New(middleware.Config{
		Vendors: []vendors.Vendor{&vendors.Webim{
			// A real site reads its Webim private key from its secret store;
			// these are new for every run and useless elsewhere.
			PrivateKey: []byte("example-webim-key-not-a-secret-" + rand.Text()),
			IDKey:      []byte("example-webim-id-key-not-a-secret-" + rand.Text()),
		}},
		Observer: m,
		Logger:   log,
	})
	if err != nil {
		return nil, err
	}

	e := echo.New()
	e.HideBanner = true
	e.Renderer = renderer{template.Must(template.New("page").Parse(page))}
	e.Use(echomiddleware.Recover(), signIn, echomw.Middleware(mw))
	e.GET("/", func(c echo.Context) error { return c.Render(http.StatusOK, "page", c.QueryParam("user")) })
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	return e, nil
}

// signIn stands in for the application's authentication middleware: the
// visitor is whoever ?user= names.
func signIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if user := c.QueryParam("user"); user != "" {
			c.Set(echomw.VisitorKey, vendors.Visitor{ID: user, Name: user})
		}
		return next(c)
	}
}

// renderer renders html/template templates for c.Render.
type renderer struct{ t *template.Template }

func (r renderer) Render(w io.Writer, name string, data any, _ echo.Context) error {
	return r.t.ExecuteTemplate(w, name, data)
}
