package main

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/chatident/chatident/examples/demo/site"
	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/htmx.min.js
var htmxJS []byte

// Front ends the app can be served with.
const (
	frontendHTMX  = "htmx"
	frontendTurbo = "turbo"
)

// libraryURL is where pages load the front-end library from.
const libraryURL = "/static/frontend.js"

// consentCookie records the visitor's consent to identification in the chat.
const consentCookie = "chat_consent"

// config is what the app needs.
type config struct {
	Secrets  site.Secrets
	Frontend string // frontendHTMX (the default) or frontendTurbo
	// Library is the front end's JavaScript, served at libraryURL; nil
	// serves the htmx 2 build this example carries. Turbo has no copy here:
	// pass its turbo.es2017-umd.js.
	Library []byte
	Logger  *slog.Logger
}

// pages are the templates, parsed once.
type pages struct {
	home, inbox, fragment *template.Template
}

func parsePages() (pages, error) {
	base, err := template.ParseFS(templateFiles, "templates/layout.html", "templates/fragments.html")
	if err != nil {
		return pages{}, fmt.Errorf("templates: %w", err)
	}
	page := func(file string) (*template.Template, error) {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		return t.ParseFS(templateFiles, "templates/"+file)
	}
	var p pages
	if p.home, err = page("home.html"); err != nil {
		return pages{}, fmt.Errorf("templates: %w", err)
	}
	if p.inbox, err = page("inbox.html"); err != nil {
		return pages{}, fmt.Errorf("templates: %w", err)
	}
	p.fragment = base
	return p, nil
}

// view is what the templates show.
type view struct {
	Title      string
	Frontend   string
	LibraryURL string
	Visitor    *vendors.Visitor
	Consent    bool
	Error      string
	Messages   []string
}

// newApp returns the whole site with chatident around it.
func newApp(cfg config) (http.Handler, error) {
	switch cfg.Frontend {
	case "":
		cfg.Frontend = frontendHTMX
	case frontendHTMX, frontendTurbo:
	default:
		return nil, fmt.Errorf("front end %q: want htmx or turbo", cfg.Frontend)
	}
	lib := cfg.Library
	if lib == nil {
		if cfg.Frontend != frontendHTMX {
			return nil, fmt.Errorf("the %s front end needs its library", cfg.Frontend)
		}
		lib = htmxJS
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tpl, err := parsePages()
	if err != nil {
		return nil, err
	}
	standins, err := site.Standins(cfg.Secrets, nil)
	if err != nil {
		return nil, err
	}
	sessions := site.NewSessions(cfg.Secrets, log)

	chat, err := middleware.New(middleware.Config{
		Vendors: site.Vendors(cfg.Secrets),
		Sources: []middleware.Source{sessions.Source()},
		SignOut: middleware.SignOut{HashKey: cfg.Secrets.SignOutKey()},
		// Nothing goes to the chat vendors until the visitor agrees; the
		// page's runtime picks the consent up without a reload.
		Consent:        hasConsent,
		WithoutConsent: middleware.ConsentNothing,
		Logger:         log,
	})
	if err != nil {
		return nil, fmt.Errorf("chatident: %w", err)
	}
	// The page script is the same on every page, so a static policy can
	// allow it by hash: no nonce to thread through the templates, and Turbo
	// and htmx may swap pages freely.
	csp := "default-src 'self'; script-src 'self' " + chat.ScriptHash() +
		"; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; connect-src 'self';" +
		" img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"

	render := func(w http.ResponseWriter, r *http.Request, t *template.Template, name string, status int, v view) {
		v.Frontend, v.LibraryURL = cfg.Frontend, libraryURL
		v.Visitor, v.Consent = sessions.Current(r), hasConsent(r)
		v.Messages = messages(v.Visitor)
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, name, v); err != nil {
			log.ErrorContext(r.Context(), "rendering", "template", name, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", csp)
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_, _ = w.Write(buf.Bytes())
	}
	home := func(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
		render(w, r, tpl.home, "layout", status, view{Title: "Home", Error: errMsg})
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { home(w, r, http.StatusOK, "") })
	mux.HandleFunc("GET /inbox", func(w http.ResponseWriter, r *http.Request) {
		render(w, r, tpl.inbox, "layout", http.StatusOK, view{Title: "Inbox"})
	})
	// A fragment: htmx and Turbo fetch it into the page. chatident leaves
	// it alone (no script, no cookie) because the browser's request says
	// it is not a document.
	mux.HandleFunc("GET /fragments/inbox", func(w http.ResponseWriter, r *http.Request) {
		render(w, r, tpl.fragment, "inbox-fragment", http.StatusOK, view{})
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if !site.SameOrigin(r) {
			http.Error(w, "sign-in must come from this site", http.StatusForbidden)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "the form could not be read", http.StatusBadRequest)
			return
		}
		v := vendors.Visitor{ID: r.PostForm.Get("user_id"), Name: r.PostForm.Get("name"), Email: r.PostForm.Get("email")}
		if err := sessions.SignIn(w, r, v); err != nil {
			// 422: Turbo renders it; htmx 2 needs responseHandling to.
			home(w, r, http.StatusUnprocessableEntity, err.Error())
			return
		}
		// 303: htmx and Turbo follow it with a GET, as browsers do.
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if !site.SameOrigin(r) {
			http.Error(w, "sign-out must come from this site", http.StatusForbidden)
			return
		}
		sessions.SignOut(w, r)
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("POST /consent", func(w http.ResponseWriter, r *http.Request) {
		if !site.SameOrigin(r) {
			http.Error(w, "consent must come from this site", http.StatusForbidden)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: consentCookie, Value: "yes", Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET "+libraryURL, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(lib)
	})
	mux.Handle(site.StandinPrefix, standins)
	return chat.Wrap(mux), nil
}

// hasConsent reads the visitor's consent from the cookie the consent form
// sets; a real site asks its consent manager.
func hasConsent(r *http.Request) bool {
	c, err := r.Cookie(consentCookie)
	return err == nil && c.Value == "yes"
}

// messages is the inbox: a stand-in for the application's own data.
func messages(v *vendors.Visitor) []string {
	if v == nil {
		return []string{"Sign in to see your messages."}
	}
	name := strings.TrimSpace(v.Name)
	if name == "" {
		name = v.ID
	}
	return []string{"Welcome back, " + name + ".", "Your order has shipped.", "Chat with us any time: the widget knows it is you."}
}
