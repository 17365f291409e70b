package vendors

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func serve(ep Endpoint, method string, header http.Header, v *Visitor) (*httptest.ResponseRecorder, EndpointResult) {
	req := httptest.NewRequest(method, "https://shop.example.com/_chatident/test/"+ep.Path, nil)
	for k, vs := range header {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	r := testRequest()
	r.HTTP = req
	res := ep.Serve(rec, r, v)
	return rec, res
}

func endpointByPath(t *testing.T, p EndpointProvider, path string) Endpoint {
	t.Helper()
	for _, ep := range p.Endpoints() {
		if ep.Path == path {
			return ep
		}
	}
	t.Fatalf("no endpoint %q", path)
	return Endpoint{}
}

func TestWebimRefreshEndpoint(t *testing.T) {
	w := &Webim{PrivateKey: testKey, IDKey: testIDKey, TTL: 20 * time.Minute}
	ep := endpointByPath(t, w, "refresh")
	v := &Visitor{ID: "12345", Name: "Анна"}

	rec, res := serve(ep, http.MethodGet, nil, v)
	if rec.Code != http.StatusOK || !res.Issued || res.Reason != "" {
		t.Fatalf("GET: %d %+v\n%s", rec.Code, res, rec.Body)
	}
	checkJSONHeaders(t, rec)
	var o webimObject
	if err := json.Unmarshal(rec.Body.Bytes(), &o); err != nil {
		t.Fatalf("body is not the object: %v\n%s", err, rec.Body)
	}
	want, err := w.VisitorJSON(testRequest(), *v)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Body.String() != string(want) {
		t.Errorf("body = %s\nwant the object Identify signs at the same time: %s", rec.Body, want)
	}
	if o.Expires != testNow.Add(20*time.Minute).Unix() {
		t.Errorf("expires = %d, want now + TTL", o.Expires)
	}

	rec, res = serve(ep, http.MethodGet, nil, nil)
	if rec.Code != http.StatusUnauthorized || res.Issued || res.Reason != ReasonAnonymous {
		t.Errorf("anonymous: %d %+v", rec.Code, res)
	}
	checkJSONError(t, rec, ReasonAnonymous)

	rec, res = serve(ep, http.MethodPost, nil, v)
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET" || res.Reason != ReasonMethod {
		t.Errorf("POST: %d Allow=%q %+v", rec.Code, rec.Header().Get("Allow"), res)
	}

	rec, res = serve(ep, http.MethodGet, http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}, v)
	if rec.Code != http.StatusForbidden || res.Reason != ReasonCrossSite || rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("cross-site: %d %+v %v", rec.Code, res, rec.Header())
	}

	// A value cp1251 cannot hold is sent and signed as '?'.
	cp := &Webim{PrivateKey: testKey, IDKey: testIDKey, Charset: WebimCP1251}
	rec, res = serve(endpointByPath(t, cp, "refresh"), http.MethodGet, nil, &Visitor{ID: "1", Name: "😀"})
	if rec.Code != http.StatusOK || !res.Issued || !strings.Contains(rec.Body.String(), `"display_name":"?"`) {
		t.Errorf("unencodable value: %d %+v %s", rec.Code, res, rec.Body)
	}

	if eps := (&Webim{DisableRefresh: true}).Endpoints(); len(eps) != 0 {
		t.Errorf("DisableRefresh: endpoints %v", eps)
	}
}

func checkJSONHeaders(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	h := rec.Result().Header
	if h.Get("Content-Type") != "application/json" || h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers = %v, want JSON, no-store, nosniff", h)
	}
}

func checkJSONError(t *testing.T, rec *httptest.ResponseRecorder, reason string) {
	t.Helper()
	checkJSONHeaders(t, rec)
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["error"] != reason {
		t.Errorf("body = %s, want {\"error\":%q}", rec.Body, reason)
	}
}

func TestWebimRefresherInScript(t *testing.T) {
	w := &Webim{PrivateKey: testKey, IDKey: testIDKey}
	script, err := identifyJS(context.Background(), w, testRequest(), Visitor{ID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	fresh := map[string]any{"fields": map[string]any{"id": "fresh"}, "expires": 1, "hash": "h"}
	out := runNode(t, nodeInput{
		Script:     string(script),
		Stubs:      []string{"webim.api.onProvidedVisitorChanged"},
		Fetch:      map[string]nodeResponse{"/_chatident/test/refresh": {Status: 200, Body: fresh}},
		Read:       []string{"webim_visitor"},
		FireTimers: true,
	})
	if len(out.Timers) != 2 || out.Timers[0] != 55*60*1000 || out.Timers[1] != 55*60*1000 {
		t.Errorf("timers = %v, want 55 minutes, then re-armed after the refresh", out.Timers)
	}
	if len(out.Fetches) != 1 || out.Fetches[0].URL != "https://site.example/_chatident/test/refresh" || out.Fetches[0].Credentials != "include" {
		t.Errorf("fetches = %+v", out.Fetches)
	}
	got, _ := json.Marshal(out.Read["webim_visitor"])
	want, _ := json.Marshal(fresh)
	if string(got) != string(want) {
		t.Errorf("webim_visitor after refresh = %s, want %s", got, want)
	}
	if len(out.calls("webim.api.onProvidedVisitorChanged")) != 1 {
		t.Errorf("onProvidedVisitorChanged calls = %v, want one", out.Calls)
	}

	// Signed out in another tab: the refresher stops and keeps the object.
	out = runNode(t, nodeInput{
		Script:     string(script),
		Fetch:      map[string]nodeResponse{"/_chatident/test/refresh": {Status: 401, Body: map[string]string{"error": "anonymous"}}},
		FireTimers: true,
	})
	if len(out.Timers) != 1 {
		t.Errorf("after 401 timers = %v, want no new timer", out.Timers)
	}

	// A failed fetch is retried a minute later.
	out = runNode(t, nodeInput{
		Script:     string(script),
		Fetch:      map[string]nodeResponse{"/_chatident/test/refresh": {Status: 500, Body: map[string]string{"error": "error"}}},
		FireTimers: true,
	})
	if len(out.Timers) != 2 || out.Timers[1] != 60000 {
		t.Errorf("after 500 timers = %v, want a retry in 60000 ms", out.Timers)
	}
}

func TestWebimResetInScript(t *testing.T) {
	w := &Webim{PrivateKey: testKey, IDKey: testIDKey}
	reset, err := resetJS(w, testRequest())
	if err != nil {
		t.Fatal(err)
	}
	// The widget is already on the page: the API is told at once.
	out := runNode(t, nodeInput{
		Script: "window.webim_visitor = {fields: {id: 'previous'}};\n" + string(reset),
		Stubs:  []string{"webim.api.onProvidedVisitorChanged"},
		Read:   []string{"webim_visitor"},
	})
	if out.Read["webim_visitor"] != nil || len(out.calls("webim.api.onProvidedVisitorChanged")) != 1 {
		t.Errorf("reset with widget present: %+v", out)
	}
	// The widget loads later: the visitor is cleared before it reads it, and
	// the API is told once it exists.
	out = runNode(t, nodeInput{
		Script:       string(reset) + `(function(){var e=document.createElement("script");e.src="https://demo.webim.ru/js/button.js";document.head.appendChild(e)})();`,
		OnScriptLoad: map[string][]string{"https://demo.webim.ru/js/button.js": {"webim.api.onProvidedVisitorChanged"}},
		Read:         []string{"webim_visitor"},
	})
	if out.Read["webim_visitor"] != nil || len(out.calls("webim.api.onProvidedVisitorChanged")) != 1 {
		t.Errorf("reset before the widget: %+v", out)
	}
	// No widget at all: nothing breaks.
	out = runNode(t, nodeInput{Script: string(reset), Read: []string{"webim_visitor"}})
	if out.Read["webim_visitor"] != nil || len(out.Calls) != 0 {
		t.Errorf("reset without widget: %+v", out)
	}
}
