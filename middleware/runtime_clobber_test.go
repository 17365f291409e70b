package middleware

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/internal/testenv"
	"github.com/chatident/chatident/vendors"
)

// clobberData is an attacker's page data for the probe vendor.
const clobberData = `data-chatident='{"v":1,"vendors":{"probe":{"mode":"identify","data":{"id":"attacker"}}}}'`

// clobberMarkups are user markup rendered before the placement: elements
// whose name makes document.currentScript (a Document named property
// overrides the built-in there) return them, or a collection of them,
// instead of chatident's element.
var clobberMarkups = []string{
	`<img name=currentScript ` + clobberData + `>`,
	`<form name=currentScript ` + clobberData + `></form>`,
	`<embed name=currentScript ` + clobberData + `>`,
	`<object name=currentScript ` + clobberData + `></object>`,
	`<img name=currentScript ` + clobberData + `><img name=currentScript ` + clobberData + `>`,
	`<form name=currentScript><input name=getAttribute></form>`,
	`<img name=getElementsByTagName><img name=createElement><img name=head><a id=JSON></a><img name=defaultView>`,
	// The client runtime's own names: its listeners and an earlier runtime.
	`<form name=addEventListener></form><img name=addEventListener>`,
	`<form id=chatident><input name=_apply><input name=refresh></form>`,
	`<img name=chatident>`,
}

// TestRuntimeDOMClobberingNode is the browser check below without a
// browser: with document.currentScript shadowed by another element, the
// runtime still reads its own element's data.
func TestRuntimeDOMClobberingNode(t *testing.T) {
	m := mustNew(t, Config{
		Vendors: []vendors.Vendor{logVendor("webim", false)},
		SignOut: SignOut{HashKey: []byte(testKey)},
	})
	p := buildPage(m, visitorRequest("bob"), "")
	evil := `{"v":1,"vendors":{"webim":{"mode":"identify","data":{"id":"attacker"}}}}`
	if got := runPageClobbered(t, m.code, p.data, evil); len(got) != 1 || got[0] != "webim.identify:bob" {
		t.Errorf("log = %q, want [webim.identify:bob]", got)
	}
}

// TestRuntimeDOMClobbering: user markup before chatident's element (the
// BeforeBodyClose placement after a forum post, say) can name elements
// currentScript, and in a browser document.currentScript then returns the
// first of them. The runtime must still read its data from its own element:
// in Chromium, the probe vendor's code sees the signed-in visitor's data,
// never the data-chatident the markup carries.
func TestRuntimeDOMClobbering(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	testenv.Require(t, testenv.Exists(chromium), "chromium", "apt-get install chromium")
	probe := &fakeVendor{name: "probe", prepare: func(vendors.Setup) (vendors.Script, error) {
		return vendors.Script{
			Identify:  `w.document.documentElement.setAttribute("data-got",String(d&&d.id));`,
			Anonymous: `w.document.documentElement.setAttribute("data-got","anonymous");`,
		}, nil
	}}
	m := mustNew(t, Config{
		Vendors:   []vendors.Vendor{probe},
		Sources:   []Source{SourceFunc(func(*http.Request) (*vendors.Visitor, error) { return &vendors.Visitor{ID: "victim"}, nil })},
		Placement: inject.BeforeBodyClose,
		SignOut:   SignOut{HashKey: []byte(testKey)},
	})
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		i := len(r.URL.Path) - 1
		if i >= len(clobberMarkups) { // the browser's /favicon.ico
			http.NotFound(w, r)
			return
		}
		markup := clobberMarkups[i]
		_, _ = io.WriteString(w, "<!doctype html><html><head><title>forum</title></head><body><p>a post: "+markup+"</p></body></html>")
	})
	srv := httptest.NewServer(m.Wrap(app))
	defer srv.Close()

	for i, markup := range clobberMarkups {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
			"--disable-background-networking", "--user-data-dir="+t.TempDir(), "--dump-dom", srv.URL+"/"+strings.Repeat("x", i))
		out, err := cmd.Output()
		cancel()
		if err != nil {
			t.Fatalf("chromium: %v", err)
		}
		dom := string(out)
		if !strings.Contains(dom, "data-chatident") {
			t.Fatalf("%s: no chatident element in the page: %s", markup, dom)
		}
		got := regexp.MustCompile(`<html[^>]*data-got="([^"]*)"`).FindStringSubmatch(dom)
		if got == nil || got[1] != "victim" {
			t.Errorf("%s: the probe vendor got %q, want the signed-in visitor's data (victim)", markup, got)
		}
	}
}
