package middleware

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/vendors"
)

func TestScriptIdentifiedInConfigOrder(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	var seen []vendors.Request
	var seenVisitor vendors.Visitor
	webim := &fakeVendor{name: "webim"}
	zendesk := &fakeVendor{name: "zendesk", identify: func(_ context.Context, r vendors.Request, v vendors.Visitor, d *vendors.Data) error {
		seen = append(seen, r)
		seenVisitor = v
		d.String("js", "zendesk.login();")
		return nil
	}}
	rec := &recorder{}
	m := mustNew(t, Config{
		Vendors:        []vendors.Vendor{zendesk, webim},
		EndpointPrefix: "/chat/",
		Observer:       rec,
		Now:            func() time.Time { return now },
	})
	visitor := vendors.Visitor{ID: "u-1", Name: "Ann", Email: "ann@example.com", Attributes: map[string]string{"plan": "pro"}}
	r := withCookies("/account")
	r = r.WithContext(WithVisitor(r.Context(), visitor))

	p := buildPage(m, r, "")

	want := wrapped("zendesk.login();") + wrapped(`webim.identify("u-1","/chat/webim/");`)
	if string(p.script) != want {
		t.Errorf("script =\n%s\nwant\n%s", p.script, want)
	}
	if len(seen) != 1 {
		t.Fatalf("zendesk built %d times, want 1", len(seen))
	}
	if seen[0].HTTP == nil || seen[0].HTTP.URL.Path != "/account" {
		t.Errorf("Request.HTTP = %v, want the page request", seen[0].HTTP)
	}
	if !seen[0].Now.Equal(now) {
		t.Errorf("Request.Now = %v, want Config.Now's %v", seen[0].Now, now)
	}
	if seen[0].Endpoints != "/chat/zendesk/" {
		t.Errorf("Request.Endpoints = %q, want /chat/zendesk/", seen[0].Endpoints)
	}
	if !reflect.DeepEqual(seenVisitor, visitor) {
		t.Errorf("visitor = %+v, want %+v", seenVisitor, visitor)
	}
	wantEvents := []Event{
		{Kind: EventResponse, Reason: "injected", Held: 7},
		{Kind: EventInjection, Vendor: "zendesk", Reason: "identify"},
		{Kind: EventInjection, Vendor: "webim", Reason: "identify"},
	}
	if got := rec.take(); !reflect.DeepEqual(got, wantEvents) {
		t.Errorf("events = %+v\nwant %+v", got, wantEvents)
	}
}

func TestScriptAnonymous(t *testing.T) {
	edna := &fakeVendor{name: "edna", noAnonymous: true}
	helpcrunch := &fakeVendor{name: "helpcrunch"}
	rec := &recorder{}
	m := mustNew(t, Config{Vendors: []vendors.Vendor{edna, helpcrunch}, Observer: rec})

	p := buildPage(m, withCookies("/"), "")

	if want := wrapped("helpcrunch.anonymous();"); string(p.script) != want {
		t.Errorf("script = %q, want %q", p.script, want)
	}
	wantEvents := []Event{
		{Kind: EventResponse, Reason: "injected", Held: 7},
		{Kind: EventInjection, Vendor: "helpcrunch", Reason: "anonymous"},
	}
	if got := rec.take(); !reflect.DeepEqual(got, wantEvents) {
		t.Errorf("events = %+v\nwant %+v", got, wantEvents)
	}
	if len(p.header["Set-Cookie"]) != 0 {
		t.Errorf("anonymous page without a marker sets cookies: %q", p.header["Set-Cookie"])
	}
}

func TestScriptAnonymousNothingToSay(t *testing.T) {
	rec := &recorder{}
	m := mustNew(t, Config{Vendors: []vendors.Vendor{
		&fakeVendor{name: "edna", noAnonymous: true},
		&fakeVendor{name: "zendesk", noAnonymous: true},
	}, Observer: rec})

	p := buildPage(m, withCookies("/"), "")

	if p.script != nil {
		t.Errorf("script = %q, want nil", p.script)
	}
	want := []Event{{Kind: EventResponse, Reason: "anonymous", Held: 7}}
	if got := rec.take(); !reflect.DeepEqual(got, want) {
		t.Errorf("events = %+v, want %+v", got, want)
	}
}

func TestScriptIdentifiedNothingToSayIsNoScript(t *testing.T) {
	rec := &recorder{}
	m := mustNew(t, Config{Vendors: []vendors.Vendor{&fakeVendor{name: "edna",
		prepare: func(vendors.Setup) (vendors.Script, error) { return vendors.Script{Reset: "x()"}, nil }}},
		Observer: rec})

	p := buildPage(m, visitorRequest("u-1"), "")

	if p.script != nil {
		t.Errorf("script = %q, want nil", p.script)
	}
	want := []Event{{Kind: EventResponse, Reason: "no_script", Held: 7}}
	if got := rec.take(); !reflect.DeepEqual(got, want) {
		t.Errorf("events = %+v, want %+v", got, want)
	}
	if len(p.header["Set-Cookie"]) != 0 {
		t.Errorf("a page that identified nobody set the marker: %q", p.header["Set-Cookie"])
	}
}

// hostileID is a visitor ID that must never reach a log record.
const hostileID = "hostile-id-7f3a<script>alert(1)</script>"

func TestScriptVendorFailuresAreIsolated(t *testing.T) {
	tests := []struct {
		name     string
		identify func(context.Context, vendors.Request, vendors.Visitor, *vendors.Data) error
		reason   string
		logged   []string
	}{
		{"error carrying the visitor id", func(_ context.Context, _ vendors.Request, v vendors.Visitor, d *vendors.Data) error {
			d.String("half", v.ID) // written before failing: must not reach the page
			return fmt.Errorf("cannot sign visitor %q: key rejected", v.ID)
		}, "error", []string{"error_type=*errors.errorString"}},
		{"config error", func(_ context.Context, _ vendors.Request, v vendors.Visitor, _ *vendors.Data) error {
			return &vendors.ConfigError{Vendor: "broken", Field: "Phone", Problem: "cannot encode " + v.ID}
		}, "error", []string{"error_type=*vendors.ConfigError", "field=Phone"}},
		{"panic carrying the visitor id", func(_ context.Context, _ vendors.Request, v vendors.Visitor, d *vendors.Data) error {
			d.Object("half")
			panic("no account for " + v.ID)
		}, "panic", []string{"panic"}},
		{"panic with an error", func(_ context.Context, _ vendors.Request, v vendors.Visitor, _ *vendors.Data) error {
			panic(errors.New(v.ID))
		}, "panic", []string{"error_type=*errors.errorString"}},
		{"data left open", func(_ context.Context, _ vendors.Request, v vendors.Visitor, d *vendors.Data) error {
			d.Object("never closed")
			return nil
		}, "error", nil},
		{"value that cannot be encoded", func(_ context.Context, _ vendors.Request, v vendors.Visitor, d *vendors.Data) error {
			d.Value("f", func() {})
			return nil
		}, "error", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger, logs := logBuffer()
			rec := &recorder{}
			m := mustNew(t, Config{
				Vendors: []vendors.Vendor{
					&fakeVendor{name: "webim"},
					&fakeVendor{name: "broken", identify: tt.identify},
					&fakeVendor{name: "zendesk"},
				},
				Observer: rec,
				Logger:   logger,
			})

			p := buildPage(m, visitorRequest(hostileID), "")

			want := wrapped(`webim.identify(`+jsq(hostileID)+`,"/_chatident/webim/");`) +
				wrapped(`zendesk.identify(`+jsq(hostileID)+`,"/_chatident/zendesk/");`)
			if string(p.script) != want {
				t.Errorf("script =\n%s\nwant the other two vendors':\n%s", p.script, want)
			}
			if bytes.Contains(p.data, []byte("half")) || bytes.Contains(p.data, []byte("broken")) {
				t.Errorf("the failed vendor's data reached the page: %s", p.data)
			}
			wantEvents := []Event{
				{Kind: EventBuildError, Vendor: "broken", Reason: tt.reason},
				{Kind: EventResponse, Reason: "injected", Held: 7},
				{Kind: EventInjection, Vendor: "webim", Reason: "identify"},
				{Kind: EventInjection, Vendor: "zendesk", Reason: "identify"},
			}
			if got := rec.take(); !reflect.DeepEqual(got, wantEvents) {
				t.Errorf("events = %+v\nwant %+v", got, wantEvents)
			}
			out := logs.String()
			for _, s := range append([]string{"level=ERROR", "vendor=broken", "script=identify", "reason=" + tt.reason}, tt.logged...) {
				if !strings.Contains(out, s) {
					t.Errorf("log lacks %q:\n%s", s, out)
				}
			}
			for _, s := range []string{"hostile-id", "7f3a", "alert"} {
				if strings.Contains(out, s) {
					t.Errorf("log carries the visitor's id (%q):\n%s", s, out)
				}
			}
		})
	}
}

func TestScriptEveryVendorFailed(t *testing.T) {
	fail := func(context.Context, vendors.Request, *vendors.Data) error { return errors.New("down") }
	rec := &recorder{}
	logger, _ := logBuffer()
	m := mustNew(t, Config{Vendors: []vendors.Vendor{
		&fakeVendor{name: "edna", anonymous: fail},
		&fakeVendor{name: "webim", anonymous: func(context.Context, vendors.Request, *vendors.Data) error { panic("down") }},
	}, Observer: rec, Logger: logger})

	p := buildPage(m, withCookies("/"), "")

	if p.script != nil {
		t.Errorf("script = %q, want nil (page unchanged)", p.script)
	}
	want := []Event{
		{Kind: EventBuildError, Vendor: "edna", Reason: "error"},
		{Kind: EventBuildError, Vendor: "webim", Reason: "panic"},
		{Kind: EventResponse, Reason: "error", Held: 7},
	}
	if got := rec.take(); !reflect.DeepEqual(got, want) {
		t.Errorf("events = %+v\nwant %+v", got, want)
	}
	if len(p.header) != 0 {
		t.Errorf("headers of an unchanged page = %v, want none", p.header)
	}
}

func TestScriptResolvesTheVisitorOnce(t *testing.T) {
	lookups := 0
	v := &fakeVendor{name: "webim"}
	m := mustNew(t, Config{
		Vendors: []vendors.Vendor{v},
		Sources: []Source{SourceFunc(func(*http.Request) (*vendors.Visitor, error) {
			lookups++
			return &vendors.Visitor{ID: "u-1"}, nil
		})},
	})
	p := buildPage(m, withCookies("/"), "")
	if len(p.script) == 0 {
		t.Fatal("no script")
	}
	if lookups != 1 || v.calls.Load() != 1 {
		t.Errorf("lookups = %d, builds = %d; want 1 and 1", lookups, v.calls.Load())
	}
}

// TestCodeIsConstant: the element text is the same for every visitor, so
// its CSP hash is too, and ScriptHash returns it.
func TestCodeIsConstant(t *testing.T) {
	m := mustNew(t, Config{Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}, &fakeVendor{name: "edna"}}})
	var codes []string
	for _, r := range []*http.Request{visitorRequest("u-1"), visitorRequest("u-2"), withCookies("/")} {
		resp := m.open(nil, r)
		ins := resp.Script(http.Header{})
		resp.Commit(http.Header{}, inject.Inserted)
		resp.Done(inject.Outcome{Reason: inject.Injected})
		codes = append(codes, string(ins.Code))
	}
	if codes[0] == "" || codes[0] != codes[1] || codes[0] != codes[2] {
		t.Fatalf("page code differs between visitors")
	}
	sum := sha256.Sum256([]byte(codes[0]))
	if want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; m.ScriptHash() != want {
		t.Errorf("ScriptHash = %s, want %s", m.ScriptHash(), want)
	}
}

// TestUnsafeVendorCodeIsAConfigError: a vendor's code is checked once, in
// New, never per page.
func TestUnsafeVendorCodeIsAConfigError(t *testing.T) {
	for _, code := range []string{`x="</script>";`, `x="</SCRIPT ";`, `x="<!--";`, `x="Евгений";`, "x=\"\u2028\";"} {
		bad := &fakeVendor{name: "bad", prepare: func(vendors.Setup) (vendors.Script, error) {
			return vendors.Script{Identify: "ok()", Update: code}, nil
		}}
		_, err := New(Config{Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}, bad}})
		if err == nil || !strings.Contains(err.Error(), "Config.Vendors[1] (bad): Prepare returned Script.Update") {
			t.Errorf("code %q: New error = %v", code, err)
		}
	}
}

// TestConfigurationCheckedOnlyInNew: Validate and Prepare run once, in New;
// serving identified, anonymous and signed-out pages checks nothing again.
func TestConfigurationCheckedOnlyInNew(t *testing.T) {
	var validated, prepared int
	fake := &fakeVendor{name: "webim"}
	fake.prepare = func(vendors.Setup) (vendors.Script, error) {
		prepared++
		return vendors.Script{Identify: "w.fake_webim=d;", Anonymous: "w.fake_webim=null;"}, nil
	}
	v := validatingVendor{fake, func() error { validated++; return nil }}
	h := mustNew(t, Config{Vendors: []vendors.Vendor{v}}).Wrap(htmlApp())
	if validated != 1 || prepared != 1 {
		t.Fatalf("New: Validate ran %d times, Prepare %d, want 1 each", validated, prepared)
	}
	for i := range 5 {
		serve(h, visitorRequest(fmt.Sprint("u-", i)))
		serve(h, withCookies("/"))
	}
	if fake.calls.Load() != 10 {
		t.Fatalf("%d pages built, want 10", fake.calls.Load())
	}
	if validated != 1 || prepared != 1 {
		t.Errorf("after 10 pages: Validate ran %d times, Prepare %d, want 1 each (in New only)", validated, prepared)
	}
}
