package site

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatident/chatident/internal/testenv"
)

// jsdomDir holds the node harness, relative to this package.
var jsdomDir = filepath.Join("..", "..", "..", "e2e", "jsdom")

// hostileVisitor signs in with values that break naive escaping: a script
// end tag, a comment opener, quotes and backslashes, U+2028 and U+2029 (line
// terminators in older JavaScript), emoji outside the BMP, Cyrillic.
func hostileVisitor() url.Values {
	return url.Values{
		"user_id": {`user/42?a=1&b=<2> "'\` + "`" + ` ✓`},
		"name":    {"</script><script>alert(1)</script> Ёжик \"'\\ \u2028 😀"},
		"email":   {"<!--ezhik\"'\\@пример.рф\u2029"},
		"phone":   {"+7 (812) 385-53-37 <!-- -->"},
		"company": {"ООО \"Рога & Копыта\" </SCRIPT > \\u0041 🚀 \u2028"},
	}
}

// requireJSDOM returns node's path, or skips the test (fails it on CI) when
// node or the harness's packages are missing.
func requireJSDOM(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(jsdomDir, "node_modules", "jsdom", "package.json"))
	}
	if err != nil {
		testenv.Require(t, false, "node or jsdom", "the jsdom end-to-end test needs node (v20.19 or later) and its packages: run `npm ci --prefix e2e/jsdom` from the repository root ("+err.Error()+")")
	}
	return node
}

// checkInput is what check.js reads on stdin.
type checkInput struct {
	Phase   string            `json:"phase"`
	URL     string            `json:"url"`
	HTML    string            `json:"html"`
	CSP     string            `json:"csp"`
	Cookie  string            `json:"cookie"`
	Secrets map[string]string `json:"secrets"`
	Visitor map[string]string `json:"visitor"`
	Config  map[string]string `json:"config"`
	Base    string            `json:"base,omitempty"`
}

// checkOutput is what check.js writes on stdout.
type checkOutput struct {
	Phase    string          `json:"phase"`
	Failures []string        `json:"failures"`
	Observed json.RawMessage `json:"observed"`
	Crashed  string          `json:"crashed"`
}

// TestEndToEndJSDOM drives the demo as a browser would: it signs in with
// hostile values, and for the signed-in page, the first page after sign-out
// and a later page, runs the page's scripts in jsdom (e2e/jsdom/check.js) and
// checks what every widget receives against values node recomputes from the
// secrets with its own crypto.
func TestEndToEndJSDOM(t *testing.T) {
	node := requireJSDOM(t)
	srv, client, logs := testServer(t)
	s := testSecrets()
	secrets := map[string]string{
		"webimKey":         string(s.WebimKey),
		"ednaKey":          string(s.EdnaKey),
		"helpcrunchSecret": string(s.HelpCrunchSecret),
		"zendeskSecret":    string(s.ZendeskSecret),
		"sessionKey":       string(s.SessionKey),
		"intercomSecret":   string(s.IntercomSecret),
		"crispSecret":      string(s.CrispSecret),
		"tawkSecret":       string(s.TawkSecret),
		"chatwootSecret":   string(s.ChatwootSecret),
		"helpscoutSecret":  string(s.HelpScoutSecret),
		"frontSecret":      string(s.FrontSecret),
		"driftSecret":      string(s.DriftSecret),
		"hubspotToken":     string(s.HubSpotToken),
	}
	form := hostileVisitor()
	visitor := map[string]string{
		"id": form.Get("user_id"), "name": form.Get("name"), "email": form.Get("email"),
		"phone": form.Get("phone"), "company": form.Get("company"),
	}
	config := map[string]string{
		// The documented derivation label (doc.go), written out rather than
		// taken from the code under test.
		"webimIDKeyLabel":        "chatident demo webim id key",
		"helpcrunchOrganization": demoHelpCrunchOrg,
		"helpcrunchAppId":        demoHelpCrunchAppID,
		"zendeskAccountKey":      demoZendeskAccountKey,
		"intercomAppId":          demoIntercomAppID,
		"crispWebsiteId":         demoCrispWebsiteID,
		"crispTokenLabel":        "chatident demo crisp token id key",
		"chatwootBase":           demoChatwootBase,
		"chatwootToken":          demoChatwootToken,
		"helpscoutBeaconId":      demoHelpScoutBeaconID,
		"frontChatId":            demoFrontChatID,
	}

	resp, _ := postForm(t, client, srv.URL, "/login", form, map[string]string{"Origin": srv.URL, "Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}

	// base, when set, is a <base href> check.js adds at the end of the page.
	page := func(phase, base string) {
		t.Helper()
		resp, html := get(t, client, srv.URL, "/")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: GET / %d", phase, resp.StatusCode)
		}
		for name, v := range secrets {
			if strings.Contains(html, v) {
				t.Errorf("%s: the page contains %s", phase, name)
			}
		}
		u, _ := url.Parse(srv.URL + "/")
		var cookies []string
		for _, c := range client.Jar.Cookies(u) {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
		in := checkInput{
			Phase: phase, URL: srv.URL + "/", HTML: html, CSP: resp.Header.Get("Content-Security-Policy"),
			Cookie: strings.Join(cookies, "; "), Secrets: secrets, Visitor: visitor, Config: config, Base: base,
		}
		out := runCheck(t, node, in)
		if out.Crashed != "" {
			t.Fatalf("%s: check.js crashed: %s", phase, out.Crashed)
		}
		if out.Phase != phase {
			t.Fatalf("%s: check.js answered for phase %q", phase, out.Phase)
		}
		for _, f := range out.Failures {
			t.Errorf("%s: %s", phase, f)
		}
		if t.Failed() {
			t.Logf("%s: what the page did: %s", phase, out.Observed)
		}
	}

	page("identified", "")
	// A <base href> to another origin anywhere in the page must not move
	// what chatident's scripts fetch (the Zendesk token here).
	page("identified", "https://evil.example/")
	resp, _ = postForm(t, client, srv.URL, "/logout", nil, map[string]string{"Origin": srv.URL, "Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	page("reset", "")
	page("anonymous", "")

	for name, v := range secrets {
		if strings.Contains(logs.String(), v) {
			t.Errorf("the log contains %s", name)
		}
	}
}

// runCheck runs check.js with in on stdin and decodes its answer. Exit
// status 1 (failures found) is an answer, not an error.
func runCheck(t *testing.T, node string, in checkInput) checkOutput {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	input, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, node, "check.js")
	cmd.Dir = jsdomDir
	cmd.Stdin = bytes.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() <= 2) {
		t.Fatalf("node check.js: %v\nstderr:\n%s", err, &stderr)
	}
	var out checkOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("check.js output is not JSON (%v):\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	if err == nil && len(out.Failures) > 0 {
		t.Errorf("check.js exited 0 with failures")
	}
	return out
}
