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

// The entries Vendor has in a page's data, so a test can say which it
// expects in a page: Identify is a format for the visitor's id.
const (
	Identify  = `"fake":{"mode":"identify","data":{"id":"%s"}}`
	Anonymous = `"fake":{"mode":"anonymous"}`
)

// Vendor identifies visitors with one recognisable entry, so tests can tell
// which went into a page. Its ids are plain ASCII chosen by the tests.
type Vendor struct{}

// Name returns "fake", which is also the vendor's endpoint path segment.
func (Vendor) Name() string { return "fake" }

// Prepare returns code that sets window.fakeChat.
func (Vendor) Prepare(vendors.Setup) (vendors.Script, error) {
	return vendors.Script{
		Identify:  "w.fakeChat=d.id;",
		Anonymous: "w.fakeChat=null;",
		Reset:     "w.fakeChat=undefined;",
	}, nil
}

// Identify writes the visitor's id.
func (Vendor) Identify(_ context.Context, _ vendors.Request, v vendors.Visitor, d *vendors.Data) error {
	d.String("id", v.ID)
	return nil
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
