package echomw_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// fakeVendor identifies visitors with one recognisable statement, so tests
// can tell which script went into a page. Its ids are plain ASCII chosen by
// the tests, so %q is enough to quote them.
type fakeVendor struct{}

func (fakeVendor) Name() string { return "fake" }

func (fakeVendor) Identify(_ context.Context, _ vendors.Request, v vendors.Visitor) ([]byte, error) {
	return fmt.Appendf(nil, "window.fakeChat=%q;", v.ID), nil
}

func (fakeVendor) Anonymous(context.Context, vendors.Request) ([]byte, error) {
	return []byte("window.fakeChat=null;"), nil
}

func (fakeVendor) Reset(context.Context, vendors.Request) ([]byte, error) {
	return []byte("window.fakeChat=undefined;"), nil
}

// Endpoints serves one endpoint, to check that chatident answers it and the
// Echo chain does not run.
func (fakeVendor) Endpoints() []vendors.Endpoint {
	return []vendors.Endpoint{{
		Path: "token",
		Serve: func(w http.ResponseWriter, _ vendors.Request, v *vendors.Visitor) vendors.EndpointResult {
			w.Header().Set("Content-Type", "application/json")
			if v == nil {
				io.WriteString(w, `{"token":null}`)
				return vendors.EndpointResult{Reason: "anonymous"}
			}
			fmt.Fprintf(w, `{"token":%q}`, "t-"+v.ID)
			return vendors.EndpointResult{Issued: true}
		},
	}}
}

func newMiddleware(t testing.TB) *middleware.Middleware {
	t.Helper()
	m, err := middleware.New(middleware.Config{
		Vendors: []vendors.Vendor{fakeVendor{}},
		SignOut: middleware.SignOut{Disabled: true},
	})
	if err != nil {
		t.Fatalf("middleware.New: %v", err)
	}
	return m
}

const (
	identify  = `window.fakeChat="%s";`
	anonymous = "window.fakeChat=null;"
)

// assertInjected checks that body is page with one <script> element right
// after <head> that contains stmt, and every other byte unchanged.
func assertInjected(t *testing.T, body, page, stmt string) {
	t.Helper()
	at := strings.Index(page, "<head>")
	if at < 0 {
		t.Fatalf("test page has no <head>: %q", page)
	}
	at += len("<head>")
	if !strings.HasPrefix(body, page[:at]+"<script") {
		t.Fatalf("no <script> right after <head>:\n got: %q\npage: %q", body, page)
	}
	rest := body[at:]
	end := strings.Index(rest, "</script>")
	if end < 0 {
		t.Fatalf("inserted <script> is not closed: %q", body)
	}
	end += len("</script>")
	if script := rest[:end]; !strings.Contains(script, stmt) {
		t.Errorf("inserted script lacks %s: %q", stmt, script)
	}
	if rest[end:] != page[at:] {
		t.Errorf("page changed around the script:\n got: %q\nwant: %q", rest[end:], page[at:])
	}
}
