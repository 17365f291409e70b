package inject_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/chatident/chatident/inject"
)

// page is the application: a small HTML page.
var page = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, "<html><head><title>Shop</title></head><body><h1>Hello</h1></body></html>")
})

// identity is the script function: in a real site it identifies the
// signed-in visitor to a chat widget, and returns nil for anonymous ones.
func identity(r *http.Request) []byte {
	if r.URL.Query().Get("user") == "" {
		return nil
	}
	return []byte(`window.chatUser={id:"u-1"};`)
}

func get(h http.Handler, url string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	return rec
}

func ExampleHandler() {
	h := inject.Handler(page, identity)

	rec := get(h, "/?user=1")
	fmt.Println(rec.Body.String())
	fmt.Println("Cache-Control:", rec.Header().Get("Cache-Control"))
	fmt.Println("Vary:", rec.Header().Get("Vary"))

	// No script for this request: the page is passed on untouched.
	fmt.Println(get(h, "/").Body.String())
	// Output:
	// <html><head><script>window.chatUser={id:"u-1"};</script><title>Shop</title></head><body><h1>Hello</h1></body></html>
	// Cache-Control: private
	// Vary: Cookie
	// <html><head><title>Shop</title></head><body><h1>Hello</h1></body></html>
}

func ExampleAt() {
	h := inject.Handler(page, identity, inject.At(inject.BeforeBodyClose))
	fmt.Println(get(h, "/?user=1").Body.String())
	// Output:
	// <html><head><title>Shop</title></head><body><h1>Hello</h1><script>window.chatUser={id:"u-1"};</script></body></html>
}

func ExampleObserve() {
	mux := http.NewServeMux()
	mux.Handle("/", page)
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	})
	h := inject.Handler(mux, identity, inject.Observe(func(r *http.Request, o inject.Outcome) {
		fmt.Printf("%s %s: %s, status %d, %d bytes inserted\n", r.Method, r.URL, o.Reason, o.Status, o.Inserted)
	}))
	get(h, "/?user=1")
	get(h, "/")
	get(h, "/api?user=1")
	// Output:
	// GET /?user=1: injected, status 200, 44 bytes inserted
	// GET /: no_script, status 200, 0 bytes inserted
	// GET /api?user=1: not_html, status 200, 0 bytes inserted
}

func ExampleMaxHeld() {
	// A long page with the marker near its end: at most 1 KiB is held back;
	// the headers go out once it fills, so the length is no longer known.
	long := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", "4126")
		io.WriteString(w, "<html><body>")
		for i := 0; i < 100; i++ {
			io.WriteString(w, strings.Repeat("words ", 6)+"<br>\n")
		}
		io.WriteString(w, "</body></html>")
	})
	h := inject.Handler(long, identity, inject.At(inject.BeforeBodyClose), inject.MaxHeld(1<<10),
		inject.Observe(func(_ *http.Request, o inject.Outcome) {
			fmt.Printf("%s, held at most 1 KiB: %v\n", o.Reason, o.Held <= 1<<10)
		}))
	rec := get(h, "/?user=1")
	fmt.Printf("Content-Length: %q\n", rec.Header().Get("Content-Length"))
	fmt.Println(strings.HasSuffix(rec.Body.String(), `<script>window.chatUser={id:"u-1"};</script></body></html>`))
	// Output:
	// injected, held at most 1 KiB: true
	// Content-Length: ""
	// true
}

func ExampleStatuses() {
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "<html><head></head><body>Not here. Ask us in the chat.</body></html>")
	})
	// Let the chat help on error pages too.
	h := inject.Handler(notFound, identity, inject.Statuses(func(code int) bool {
		return code == http.StatusOK || code == http.StatusNotFound
	}))
	rec := get(h, "/missing?user=1")
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 404 <html><head><script>window.chatUser={id:"u-1"};</script></head><body>Not here. Ask us in the chat.</body></html>
}
