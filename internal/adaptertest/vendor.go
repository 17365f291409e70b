// Package adaptertest holds what the framework adapters' tests share: a
// fake vendor whose script says which visitor it identified, a middleware
// built on it, and a check that a page came back with exactly one script
// inserted. It is internal to the repository: the Gin and Echo adapter
// modules import it from their tests through their replace of the main
// module, and no user code can.
package adaptertest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// The statements Vendor writes, so a test can say which script it expects
// in a page: Identify is a format for the visitor's id.
const (
	Identify  = `window.fakeChat="%s";`
	Anonymous = "window.fakeChat=null;"
)

// Vendor identifies visitors with one recognisable statement, so tests can
// tell which script went into a page. Its ids are plain ASCII chosen by the
// tests, so %q is enough to quote them.
type Vendor struct{}

// Name returns "fake", which is also the vendor's endpoint path segment.
func (Vendor) Name() string { return "fake" }

// Identify returns the Identify statement for v's id.
func (Vendor) Identify(_ context.Context, _ vendors.Request, v vendors.Visitor) ([]byte, error) {
	return fmt.Appendf(nil, "window.fakeChat=%q;", v.ID), nil
}

// Anonymous returns the Anonymous statement.
func (Vendor) Anonymous(context.Context, vendors.Request) ([]byte, error) {
	return []byte(Anonymous), nil
}

// Reset returns a statement that differs from both others.
func (Vendor) Reset(context.Context, vendors.Request) ([]byte, error) {
	return []byte("window.fakeChat=undefined;"), nil
}

// Endpoints serves one endpoint, "token", so a test can check that
// chatident answers it and the framework's own chain does not run.
func (Vendor) Endpoints() []vendors.Endpoint {
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

// NewMiddleware returns a middleware with Vendor alone and sign-out
// detection off, so every page carries exactly the Identify or Anonymous
// statement.
func NewMiddleware(t testing.TB) *middleware.Middleware {
	t.Helper()
	m, err := middleware.New(middleware.Config{
		Vendors: []vendors.Vendor{Vendor{}},
		SignOut: middleware.SignOut{Disabled: true},
	})
	if err != nil {
		t.Fatalf("middleware.New: %v", err)
	}
	return m
}
