package main

import (
	"crypto/rand"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/chatident/chatident/metrics"
	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/middleware/ginmw"
	"github.com/chatident/chatident/vendors"
)

const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>chatident with Gin</title></head>
<body>
<h1>chatident with Gin</h1>
{{if .}}<p>Signed in as <b>{{.}}</b>. <a href="/">Sign out</a></p>
{{else}}<p>Anonymous. <a href="/?user=ann">Sign in as ann</a></p>
{{end}}<p>What chatident told Webim about you (window.webim_visitor):</p>
<pre id="identity"></pre>
<script>document.getElementById("identity").textContent = JSON.stringify(window.webim_visitor, null, 2);</script>
<p><a href="/metrics">Metrics</a></p>
</body></html>
`

// newApp returns the example's Gin engine: a sign-in stand-in, chatident,
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

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.SetHTMLTemplate(template.Must(template.New("page").Parse(page)))
	r.Use(gin.Recovery(), signIn, ginmw.Middleware(mw))
	r.GET("/", func(c *gin.Context) { c.HTML(http.StatusOK, "page", c.Query("user")) })
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	return r, nil
}

// signIn stands in for the application's authentication middleware: the
// visitor is whoever ?user= names.
func signIn(c *gin.Context) {
	if user := c.Query("user"); user != "" {
		c.Set(ginmw.VisitorKey, vendors.Visitor{ID: user, Name: user})
	}
	c.Next()
}
