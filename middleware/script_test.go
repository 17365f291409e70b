package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chatident/chatident/vendors"
)

func TestScriptIdentifiedInConfigOrder(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	var seen []vendors.Request
	var seenVisitor vendors.Visitor
	webim := &fakeVendor{name: "webim"}
	zendesk := &fakeVendor{name: "zendesk", identify: func(_ context.Context, r vendors.Request, v vendors.Visitor) ([]byte, error) {
		seen = append(seen, r)
		seenVisitor = v
		return []byte("zendesk.login();"), nil
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
	edna := &fakeVendor{name: "edna", anonymous: func(context.Context, vendors.Request) ([]byte, error) { return nil, nil }}
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
	nothing := func(context.Context, vendors.Request) ([]byte, error) { return nil, nil }
	rec := &recorder{}
	m := mustNew(t, Config{Vendors: []vendors.Vendor{
		&fakeVendor{name: "edna", anonymous: nothing},
		&fakeVendor{name: "zendesk", anonymous: nothing},
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
		identify: func(context.Context, vendors.Request, vendors.Visitor) ([]byte, error) { return nil, nil }}},
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
		identify func(context.Context, vendors.Request, vendors.Visitor) ([]byte, error)
		reason   string
		logged   []string
	}{
		{"error carrying the visitor id", func(_ context.Context, _ vendors.Request, v vendors.Visitor) ([]byte, error) {
			return nil, fmt.Errorf("cannot sign visitor %q: key rejected", v.ID)
		}, "error", []string{"error_type=*errors.errorString"}},
		{"config error", func(_ context.Context, _ vendors.Request, v vendors.Visitor) ([]byte, error) {
			return nil, &vendors.ConfigError{Vendor: "broken", Field: "Phone", Problem: "cannot encode " + v.ID}
		}, "error", []string{"error_type=*vendors.ConfigError", "field=Phone"}},
		{"panic carrying the visitor id", func(_ context.Context, _ vendors.Request, v vendors.Visitor) ([]byte, error) {
			panic("no account for " + v.ID)
		}, "panic", []string{"panic"}},
		{"panic with an error", func(_ context.Context, _ vendors.Request, v vendors.Visitor) ([]byte, error) {
			panic(errors.New(v.ID))
		}, "panic", []string{"error_type=*errors.errorString"}},
		{"script that ends its element", func(_ context.Context, _ vendors.Request, v vendors.Visitor) ([]byte, error) {
			return []byte(`broken.id="` + v.ID + `";`), nil
		}, "unsafe", nil},
		{"script that opens a comment", func(context.Context, vendors.Request, vendors.Visitor) ([]byte, error) {
			return []byte(`broken.x="<!--";`), nil
		}, "unsafe", nil},
		{"script that is not ASCII", func(context.Context, vendors.Request, vendors.Visitor) ([]byte, error) {
			return []byte(`broken.name="Евгений";`), nil
		}, "unsafe", nil},
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
	fail := func(context.Context, vendors.Request) ([]byte, error) { return nil, errors.New("down") }
	rec := &recorder{}
	logger, _ := logBuffer()
	m := mustNew(t, Config{Vendors: []vendors.Vendor{
		&fakeVendor{name: "edna", anonymous: fail},
		&fakeVendor{name: "webim", anonymous: func(context.Context, vendors.Request) ([]byte, error) { panic("down") }},
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

func TestScriptBuiltOncePerRequest(t *testing.T) {
	lookups := 0
	v := &fakeVendor{name: "webim"}
	m := mustNew(t, Config{
		Vendors: []vendors.Vendor{v},
		Sources: []Source{SourceFunc(func(*http.Request) (*vendors.Visitor, error) {
			lookups++
			return &vendors.Visitor{ID: "u-1"}, nil
		})},
	})
	r := withCookies("/")
	st := m.acquire(nil)
	defer m.release(st)
	st.w = newHeaderWriter()
	r = r.WithContext(m.attach(r.Context(), st))
	first := string(m.script(r))
	second := string(m.script(r))
	if first != second || first == "" {
		t.Errorf("second call = %q, first = %q; want the same non-empty script", second, first)
	}
	if lookups != 1 || v.calls.Load() != 1 {
		t.Errorf("lookups = %d, builds = %d; want 1 and 1", lookups, v.calls.Load())
	}
}

func TestScriptWithoutStateIsNil(t *testing.T) {
	m := mustNew(t, Config{Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}}})
	if got := m.script(withCookies("/")); got != nil {
		t.Errorf("script for a request Wrap did not see = %q, want nil", got)
	}
}

func TestSafeScript(t *testing.T) {
	tests := []struct {
		js   string
		safe bool
	}{
		{`a("x");`, true},
		{`if(a<b){c()}`, true},
		{`x="<script>";`, true},
		{`x="<\/script>";`, true},
		{`x="</script>";`, false},
		{`x="</SCRIPT ";`, false},
		{`x="</sCrIpT";`, false},
		{`x="<!--";`, false},
		{`x="<<!--";`, false},
		{`x="<";`, true},
		{"x=\"\u2028\";", false},
		{"x=\"\x80\";", false},
	}
	for _, tt := range tests {
		if got := safeScript([]byte(tt.js)); got != tt.safe {
			t.Errorf("safeScript(%q) = %v, want %v", tt.js, got, tt.safe)
		}
	}
}
