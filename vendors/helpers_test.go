package vendors

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chatident/chatident/internal/testenv"
)

// Keys used across the tests. They are obviously not real secrets.
var (
	testKey   = []byte("test-key-not-a-secret-0123456789abcdef")
	testIDKey = []byte("test-idkey-not-a-secret-0123456789")
)

// testNow is a fixed signing time: 2023-11-14T22:13:20Z.
var testNow = time.Unix(1700000000, 0)

func testRequest() Request {
	return Request{
		HTTP:      httptest.NewRequest("GET", "https://shop.example.com/account", nil),
		Now:       testNow,
		Endpoints: "/_chatident/test/",
	}
}

// hostileStrings are visitor values chosen to break out of a string literal,
// a <script> element or an HTML comment, or to trip charset handling.
var hostileStrings = []string{
	"</script><script>alert(1)</script>",
	"</SCRIPT >",
	"<!--",
	"-->",
	"]]>",
	`"'` + "`" + `\`,
	`\u0022`,
	"line\u2028sep\u2029par",
	"\x00\x01\x1f\x7f",
	"emoji 😀 and 𝄞",
	"Евгений Петров",
	"bad\xffutf8\xc3(",
	"${alert(1)}",
}

// hostileVisitor puts s in every field of a visitor.
func hostileVisitor(s string) Visitor {
	return Visitor{
		ID: "id-" + s, Name: s, Email: s, Phone: s, Company: s, Login: s,
		AvatarURL: s, ProfileURL: s,
		Attributes: map[string]string{s: s, "plan": s},
	}
}

// browserForm is the string JavaScript sees for s: invalid UTF-8 bytes each
// replaced by U+FFFD, as documented at AppendJS.
func browserForm(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		b.WriteRune(r)
		s = s[n:]
	}
	return b.String()
}

// checkScriptSafe fails t if script could end its <script> element, open an
// HTML comment, or depend on the page's charset.
func checkScriptSafe(t *testing.T, what string, script []byte) {
	t.Helper()
	for i, c := range script {
		if c >= 0x80 {
			t.Errorf("%s: non-ASCII byte %#x at %d", what, c, i)
			return
		}
	}
	lower := bytes.ToLower(script)
	for _, bad := range []string{"</script", "<!--", "-->", "]]>", "\u2028", "\u2029"} {
		if bytes.Contains(lower, []byte(bad)) {
			t.Errorf("%s: contains %q:\n%s", what, bad, script)
		}
	}
}

type nodeResponse struct {
	Status int `json:"status"`
	Body   any `json:"body"`
}

type nodeInput struct {
	Script       string                  `json:"script"`
	Stubs        []string                `json:"stubs,omitempty"`
	OnScriptLoad map[string][]string     `json:"onScriptLoad,omitempty"`
	Fetch        map[string]nodeResponse `json:"fetch,omitempty"`
	Invoke       []string                `json:"invoke,omitempty"`
	Read         []string                `json:"read,omitempty"`
	FireTimers   bool                    `json:"fireTimers,omitempty"`
	Base         string                  `json:"base,omitempty"`
	DocumentBase string                  `json:"documentBase,omitempty"`
	Existing     []string                `json:"existingScripts,omitempty"`
}

type nodeCall struct {
	Name string `json:"name"`
	Args []any  `json:"args"`
}

type nodeOutput struct {
	Read    map[string]any `json:"read"`
	Calls   []nodeCall     `json:"calls"`
	Fetches []struct {
		URL         string `json:"url"`
		Credentials string `json:"credentials"`
	} `json:"fetches"`
	Scripts   []string  `json:"scripts"`
	Timers    []float64 `json:"timers"`
	Callbacks []any     `json:"callbacks"`
	Listeners []string  `json:"listeners"`
}

// calls returns the recorded calls of the stub called name.
func (o nodeOutput) calls(name string) []nodeCall {
	var cs []nodeCall
	for _, c := range o.Calls {
		if c.Name == name {
			cs = append(cs, c)
		}
	}
	return cs
}

// runNode runs a script in testdata/harness.js, a stand-in for a browser page
// with stub widget APIs, and returns what the stubs saw.
func runNode(t *testing.T, in nodeInput) nodeOutput {
	t.Helper()
	node := testenv.LookPath(t, "node", "install Node.js to run the vendor scripts in JavaScript")
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "harness.js"))
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s\nscript:\n%s", err, stderr.String(), in.Script)
	}
	var out nodeOutput
	if err := json.Unmarshal(stdout, &out); err != nil {
		t.Fatalf("node output: %v\n%s", err, stdout)
	}
	return out
}

// testSetup is what the middleware would tell a vendor; the tests' requests
// carry the same endpoint path.
func testSetup(r Request) Setup {
	return Setup{Endpoints: r.Endpoints, MemoSize: 64}
}

// pageData returns the data v writes for a visitor (identify) or for an
// anonymous one (v == nil), after Prepare, as the middleware gets it.
func pageData(ctx context.Context, vendor Vendor, r Request, v *Visitor) (Script, []byte, error) {
	s, err := vendor.Prepare(testSetup(r))
	if err != nil {
		return s, nil, err
	}
	var d Data
	d.Reset(nil)
	if v != nil {
		err = vendor.Identify(ctx, r, *v, &d)
	} else if a, ok := vendor.(AnonymousData); ok {
		err = a.Anonymous(ctx, r, &d)
	} else {
		return s, []byte("null"), nil
	}
	if err != nil {
		return s, nil, err
	}
	b, err := d.Bytes()
	return s, b, err
}

// standalone wraps one of a vendor's functions and its data into a script
// that runs on its own, as the page runtime would call it: the body as
// function(d, w), with the parsed data.
func standalone(body string, data []byte) []byte {
	if body == "" {
		return nil
	}
	return []byte("(function(d,w){" + body + "\n})(" + string(data) + ",window);\n")
}

// identifyJS is the script a page runs to identify v with vendor.
func identifyJS(ctx context.Context, vendor Vendor, r Request, v Visitor) ([]byte, error) {
	s, data, err := pageData(ctx, vendor, r, &v)
	if err != nil {
		return nil, err
	}
	return standalone(s.Identify, data), nil
}

// anonymousJS is the script a page runs for an anonymous visitor, nil when
// the vendor needs none.
func anonymousJS(ctx context.Context, vendor Vendor, r Request) ([]byte, error) {
	s, data, err := pageData(ctx, vendor, r, nil)
	if err != nil {
		return nil, err
	}
	return standalone(s.Anonymous, data), nil
}

// resetJS is the script a page runs to reset vendor's widget.
func resetJS(vendor Vendor, r Request) ([]byte, error) {
	s, err := vendor.Prepare(testSetup(r))
	if err != nil {
		return nil, err
	}
	return standalone(s.Reset, []byte("null")), nil
}

// updateJS is the script the runtime runs to change the visitor in place
// (v nil: signed out).
func updateJS(ctx context.Context, vendor Vendor, r Request, v *Visitor) ([]byte, error) {
	s, err := vendor.Prepare(testSetup(r))
	if err != nil {
		return nil, err
	}
	data := []byte("null")
	if v != nil {
		if _, data, err = pageData(ctx, vendor, r, v); err != nil {
			return nil, err
		}
	}
	return standalone(s.Update, data), nil
}

// scriptData returns the data a standalone script was given.
func scriptData(t *testing.T, script []byte) []byte {
	t.Helper()
	i := bytes.LastIndex(script, []byte("\n})("))
	j := bytes.LastIndex(script, []byte(",window);\n"))
	if i < 0 || j < i {
		t.Fatalf("not a standalone vendor script:\n%s", script)
	}
	return script[i+len("\n})(") : j]
}
