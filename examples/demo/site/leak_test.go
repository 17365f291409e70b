package site

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSecretsNeverLeave walks every kind of response the demo gives, signed
// in and out, well-formed and not, and checks that no secret or derived key,
// in any common encoding, is in a header, a body or a log line.
func TestSecretsNeverLeave(t *testing.T) {
	srv, c, logs := testServer(t)
	var seen strings.Builder
	record := func(resp *http.Response, body string) {
		fmt.Fprintf(&seen, "%s %d\n", resp.Request.URL, resp.StatusCode)
		for k, vs := range resp.Header {
			fmt.Fprintf(&seen, "%s: %s\n", k, strings.Join(vs, ", "))
		}
		seen.WriteString(body)
	}
	getAll := func(paths ...string) {
		for _, p := range paths {
			record(get(t, c, srv.URL, p))
		}
	}
	same := map[string]string{"Origin": srv.URL, "Sec-Fetch-Site": "same-origin"}

	getAll("/", "/_chatident/zendesk/token", "/_chatident/webim/refresh", "/_chatident/nope", "/nope")
	record(postForm(t, c, srv.URL, "/login", url.Values{"name": {"no id"}}, same))
	record(postForm(t, c, srv.URL, "/login", hostileVisitor(), same))
	getAll("/", "/_chatident/zendesk/token", "/_chatident/webim/refresh", "/metrics",
		standinWebim, standinEdna, standinHelpCrunch, standinZendesk, standinCSS)
	for _, v := range widgetNames {
		getAll(standinPrefix + v + ".js")
	}
	for _, v := range append([]string{"webim", "helpcrunch", "zendesk", "edna"}, widgetNames...) {
		record(postForm(t, c, srv.URL, "/standin/"+v+"/verify", url.Values{"x": {"y"}}, same))
	}
	record(postForm(t, c, srv.URL, "/logout", nil, same))
	getAll("/", "/", "/_chatident/zendesk/token", "/metrics")

	s := testSecrets()
	keys := append(s.list(), s.WebimIDKey(), s.SignOutKey(), s.CrispTokenIDKey())
	for i, k := range keys {
		forms := []string{
			string(k),
			hex.EncodeToString(k),
			base64.StdEncoding.EncodeToString(k),
			base64.RawURLEncoding.EncodeToString(k),
		}
		for _, f := range forms {
			if strings.Contains(seen.String(), f) {
				t.Errorf("key %d appears in a response as %q", i, f)
			}
			if strings.Contains(logs.String(), f) {
				t.Errorf("key %d appears in the log as %q", i, f)
			}
		}
	}
	if !strings.Contains(seen.String(), `"token":"`) {
		t.Errorf("the walk never got a Zendesk token; it did not cover the signed-in endpoints")
	}
}
