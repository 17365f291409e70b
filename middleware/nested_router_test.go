package middleware

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"net/http/httptest"

	"github.com/chatident/chatident/internal/faultnet"
)

// spaFallback is an application's catch-all: it answers every path with its
// index page, a cookie of its own, a flush, and an attempt to hijack the
// connection (whose error it records), all of which must stay hidden when
// the path is under a chatident prefix.
type spaFallback struct {
	mu         sync.Mutex
	hijackErrs []error
}

const spaIndex = "<!doctype html><html><head><title>SPA-INDEX</title></head><body>app</body></html>"

func (s *spaFallback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	http.SetCookie(w, &http.Cookie{Name: "spa", Value: "1"})
	io.WriteString(w, spaIndex)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	if strings.HasPrefix(r.URL.Path, DefaultEndpointPrefix) {
		_, _, err := rc.Hijack()
		s.mu.Lock()
		s.hijackErrs = append(s.hijackErrs, err)
		s.mu.Unlock()
	}
}

// routedSite is a site-wide instance (webim) around a ServeMux that mounts
// a shop sub-application with its own instance (zendesk) at /shop/ and
// routes that instance's endpoints to it, all three on the default prefix,
// and a catch-all SPA fallback at "/" with a third instance (edna) whose
// prefix lies under the default one.
func routedSite(t *testing.T) (h http.Handler, spaMw *Middleware, spa *spaFallback) {
	t.Helper()
	outer := nestedInstance(t, "webim", "")
	shop := nestedInstance(t, "zendesk", "").Wrap(htmlApp())
	spaMw = nestedInstance(t, "edna", "/_chatident/spa/")
	spa = &spaFallback{}
	mux := http.NewServeMux()
	mux.Handle("/shop/", shop)
	mux.Handle("/_chatident/zendesk/", shop)
	mux.Handle("/", spaMw.Wrap(spa))
	return outer.Wrap(mux), spaMw, spa
}

// get fetches path from srv with no redirects followed.
func get(t *testing.T, srv *httptest.Server, path string) (*http.Response, string) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", path, err)
	}
	return resp, string(b)
}

// With one EndpointPrefix for all and a router between the instances, each
// instance's endpoints stay reachable, pages still get one script and one
// marker, and a path under the prefix that no instance serves is 404 with
// nothing of the SPA fallback's answer (page, cookie, flush, hijack).
func TestNestedSharedPrefixThroughARouter(t *testing.T) {
	faultnet.NoGoroutineLeak(t)
	h, _, spa := routedSite(t)

	// The shop's page: one script, the outer instance's, and one marker.
	r := visitorRequest("ann")
	r.URL.Path = "/shop/cart"
	w := serve(h, r)
	body := normalize(t, w.Body.String())
	if strings.Count(body, "<script") != 1 || !strings.Contains(body, `webim.identify("ann"`) || strings.Contains(body, "zendesk.") {
		t.Errorf("shop page: want one script, webim's alone: %s", body)
	}
	if sc := w.Result().Header["Set-Cookie"]; len(sc) != 1 || !strings.HasPrefix(sc[0], DefaultSignOutCookie+"=") {
		t.Errorf("shop page: Set-Cookie %q, want one marker", sc)
	}

	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	for _, c := range []struct{ path, want string }{
		{"/_chatident/webim/ping", "pong from webim"},     // the outer instance's own
		{"/_chatident/zendesk/ping", "pong from zendesk"}, // the shop's, through the router
		{"/_chatident/spa/edna/ping", "pong from edna"},   // the fallback's, under the outer's prefix
	} {
		resp, body := get(t, srv, c.path)
		if resp.StatusCode != http.StatusOK || body != c.want {
			t.Errorf("GET %s: %d %q, want 200 %q", c.path, resp.StatusCode, body, c.want)
		}
	}
	for _, path := range []string{"/_chatident/identity", "/_chatident/spa/identity"} {
		resp, body := get(t, srv, path)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" ||
			!strings.HasPrefix(body, `{"v":1,`) || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: %d %q %q, want the identity endpoint's JSON", path, resp.StatusCode, resp.Header, body)
		}
	}

	spa.mu.Lock()
	spa.hijackErrs = nil
	spa.mu.Unlock()
	unknown := []string{"/_chatident/x", "/_chatident/zendesk/nope", "/_chatident/spa/nope", "/_chatident/"}
	for _, path := range unknown {
		resp, body := get(t, srv, path)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "SPA-INDEX") ||
			len(resp.Header["Set-Cookie"]) != 0 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("GET %s: %d %q %q, want chatident's 404 and nothing of the fallback", path, resp.StatusCode, resp.Header, body)
		}
	}
	spa.mu.Lock()
	errs := spa.hijackErrs
	spa.mu.Unlock()
	// All but /_chatident/zendesk/nope (answered by the shop's instance)
	// reach the fallback, through one probe or two.
	if len(errs) != 3 {
		t.Fatalf("the fallback tried %d hijacks, want 3", len(errs))
	}
	for _, err := range errs {
		if !errors.Is(err, errProbeHijack) {
			t.Errorf("hijack under the prefix: %v, want it refused", err)
		}
	}

	// A path outside the prefix still reaches the fallback, injected once.
	resp, body := get(t, srv, "/deep/link")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "SPA-INDEX") || strings.Count(body, "<script") != 1 {
		t.Errorf("GET /deep/link: %d %q, want the fallback's page with one script", resp.StatusCode, body)
	}
}

// The fallback's page, written into a probe nobody claims, still goes
// through its instance's rewriter, whose state must go back to the pool.
func TestNestedProbeReturnsPooledState(t *testing.T) {
	h, spaMw, _ := routedSite(t)
	made := countStates(spaMw)
	faultnet.CheckPooled(t, made, func() {
		if w := serve(h, withCookies("/_chatident/x")); w.Code != http.StatusNotFound {
			t.Errorf("GET /_chatident/x: %d, want 404", w.Code)
		}
	})
}

// A claimed probe passes headers set before the claim (by a router's
// middleware) and ReadFrom through; an unclaimed one keeps them back.
func TestProbeClaim(t *testing.T) {
	w := httptest.NewRecorder()
	p := &probe{w: w}
	p.Header().Set("X-Router", "1")
	p.Write([]byte("dropped"))
	if len(w.Header()) != 0 || w.Body.Len() != 0 {
		t.Fatalf("unclaimed probe leaked: %q %q", w.Header(), w.Body)
	}
	claimProbes(&trackingWriter{ResponseWriter: p})
	if !p.claimed || w.Header().Get("X-Router") != "1" {
		t.Fatalf("claim through a wrapper: claimed %v, headers %q", p.claimed, w.Header())
	}
	p.WriteHeader(http.StatusTeapot)
	if n, err := p.ReadFrom(strings.NewReader("kept")); n != 4 || err != nil {
		t.Fatalf("ReadFrom: %d %v", n, err)
	}
	if w.Code != http.StatusTeapot || w.Body.String() != "kept" {
		t.Errorf("claimed probe: %d %q, want 418 \"kept\"", w.Code, w.Body)
	}
}
