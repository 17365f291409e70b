package site

import (
	"bytes"
	"crypto/rand"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/chatident/chatident/vendors"
)

//go:embed templates/page.html
var templateFiles embed.FS

// pageTemplate is parsed once; a parse error is a build mistake that every
// test catches.
var pageTemplate = template.Must(template.ParseFS(templateFiles, "templates/page.html"))

// pageData is what templates/page.html shows.
type pageData struct {
	Nonce    string
	Visitor  *vendors.Visitor // the signed-in visitor, nil when anonymous
	Form     vendors.Visitor  // sign-in values to show again after an error
	Error    string           // why the last sign-in was refused
	MaxField int
	EdnaInit string // the URL of edna's init code (the stand-in)
}

// contentSecurityPolicy is the page's policy for one nonce: only scripts that
// carry the nonce run, and what they load ('strict-dynamic'); no inline
// styles without it; forms post only to the site.
func contentSecurityPolicy(nonce string) string {
	return fmt.Sprintf("default-src 'self'; script-src 'nonce-%[1]s' 'strict-dynamic'; "+
		"style-src 'self' 'nonce-%[1]s'; object-src 'none'; base-uri 'none'; connect-src 'self'; "+
		"img-src 'self' data:; form-action 'self'; frame-ancestors 'none'", nonce)
}

// renderPage writes the page with a fresh nonce and its policy. The page is
// rendered to memory first so that a template failure becomes a clean 500
// rather than half a page.
func renderPage(w http.ResponseWriter, r *http.Request, log *slog.Logger, status int, d pageData) {
	d.Nonce = rand.Text()
	d.MaxField = maxField
	d.EdnaInit = standinEdna
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		log.ErrorContext(r.Context(), "rendering the page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", contentSecurityPolicy(d.Nonce))
	// The page shows who is signed in: no cache may keep it.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
