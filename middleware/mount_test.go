package middleware_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chatident/chatident/middleware"
)

// endpointURLs returns the endpoint URLs a page's scripts fetch: every JS
// string literal in it that names a path under the endpoint prefix.
func endpointURLs(t *testing.T, page string) []string {
	t.Helper()
	var out []string
	for _, lit := range regexp.MustCompile(`"(?:[^"\\]|\\.)*_chatident/(?:[^"\\]|\\.)*"`).FindAllString(page, -1) {
		var s string
		if err := json.Unmarshal([]byte(lit), &s); err != nil {
			t.Fatalf("endpoint literal %s: %v", lit, err)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestMountPath mounts the application under /app, once with
// http.StripPrefix and once behind a reverse proxy that serves it at /app/
// and forwards without the prefix. With MountPath the page's scripts fetch
// /app/_chatident/..., and those URLs, fetched as the browser would, reach
// the endpoints; without it they point at the site's root, where nothing
// answers.
func TestMountPath(t *testing.T) {
	stripPrefix := func(h http.Handler) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/app/", http.StripPrefix("/app", h))
		return mux
	}
	behindProxy := func(h http.Handler) http.Handler {
		backend := httptest.NewServer(h)
		t.Cleanup(backend.Close)
		target, _ := url.Parse(backend.URL)
		mux := http.NewServeMux()
		mux.Handle("/app/", &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.URL.Path = strings.TrimPrefix(pr.In.URL.Path, "/app")
			pr.Out.URL.RawPath = ""
		}})
		return mux
	}
	for _, mount := range []struct {
		name  string
		front func(http.Handler) http.Handler
	}{{"http.StripPrefix", stripPrefix}, {"reverse proxy", behindProxy}} {
		for _, tc := range []struct {
			mountPath string
			wantURLs  []string
			wantCode  int
		}{
			{"/app", []string{"/app/_chatident/identity", "/app/_chatident/webim/refresh", "/app/_chatident/zendesk/token"}, http.StatusOK},
			{"", []string{"/_chatident/identity", "/_chatident/webim/refresh", "/_chatident/zendesk/token"}, http.StatusNotFound},
		} {
			t.Run(mount.name+" MountPath="+tc.mountPath, func(t *testing.T) {
				cfg := lbConfig([]byte(signOutKey), slog.New(slog.DiscardHandler))
				cfg.MountPath = tc.mountPath
				mw, err := middleware.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				srv := httptest.NewServer(mount.front(mw.Wrap(lbApp(t))))
				defer srv.Close()
				b := newLBBrowser(t)
				if code, _, _ := b.get(srv, "/app/login"); code != http.StatusNoContent {
					t.Fatalf("login: %d", code)
				}
				code, page, _ := b.get(srv, "/app/")
				if code != http.StatusOK {
					t.Fatalf("page: %d", code)
				}
				urls := endpointURLs(t, page)
				if !slices.Equal(urls, tc.wantURLs) {
					t.Fatalf("page fetches %q, want %q", urls, tc.wantURLs)
				}
				for _, u := range urls {
					code, body, _ := b.get(srv, u)
					if code != tc.wantCode {
						t.Errorf("GET %s: %d %s, want %d", u, code, body, tc.wantCode)
					}
					if code == http.StatusOK && !strings.HasPrefix(body, "{") {
						t.Errorf("GET %s: %s, want the endpoint's JSON", u, body)
					}
				}
				// Unknown paths under the mounted endpoint prefix are still refused.
				if code, _, _ := b.get(srv, "/app/_chatident/nosuch/x"); code != http.StatusNotFound {
					t.Errorf("unknown endpoint under the mount: %d, want 404", code)
				}
			})
		}
	}
}
