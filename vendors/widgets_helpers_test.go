package vendors

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// widgetCall is one call of a vendor's Script: fn is "identify",
// "anonymous", "reset" or "update"; v is the data (nil: null, except for
// identify, whose data is an object).
type widgetCall struct {
	fn string
	v  Object
}

// mustPrepare returns v's Script.
func mustPrepare(t *testing.T, v Vendor) Script {
	t.Helper()
	sc, err := v.Prepare(testSetup(testRequest()))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{sc.Identify, sc.Anonymous, sc.Reset, sc.Update} {
		checkScriptSafe(t, v.Name()+" code", []byte(b))
	}
	return sc
}

// widgetScript returns a script that runs the calls of sc's bodies in
// order, each as function(d, w) with its data written by the encoder, the
// way the middleware's page runtime calls them.
func widgetScript(t *testing.T, sc Script, calls ...widgetCall) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("(function(W){var k={")
	for i, f := range []struct{ key, body string }{{"identify", sc.Identify}, {"anonymous", sc.Anonymous}, {"reset", sc.Reset}, {"update", sc.Update}} {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(f.key + ":function(d,w){\n" + f.body + "\n}")
	}
	b.WriteString("};\n")
	for _, call := range calls {
		data := []byte("null")
		if call.v != nil || call.fn == "identify" {
			if call.v == nil {
				call.v = Object{}
			}
			var err error
			if data, err = AppendJS(nil, call.v); err != nil {
				t.Fatal(err)
			}
		}
		b.WriteString("k." + call.fn + "(")
		b.Write(data)
		b.WriteString(",W);\n")
	}
	b.WriteString("})(window);\n")
	checkScriptSafe(t, "widget script", []byte(b.String()))
	return b.String()
}

// runWidget runs prelude (test set-up, such as marking a stub widget as
// loaded) and then the calls, in the node harness.
func runWidget(t *testing.T, in nodeInput, prelude string, sc Script, calls ...widgetCall) nodeOutput {
	t.Helper()
	in.Script = prelude + widgetScript(t, sc, calls...)
	return runNode(t, in)
}

// identifyJSON returns the data v's Identify writes for vis, as JSON.
func identifyJSON(t *testing.T, v Vendor, vis Visitor) string {
	t.Helper()
	var d Data
	d.Reset(nil)
	if err := v.Identify(context.Background(), testRequest(), vis, &d); err != nil {
		t.Fatal(err)
	}
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// configErrorFields returns the Field of every *ConfigError joined in err,
// failing t if one names another vendor or err holds another kind of error.
func configErrorFields(t *testing.T, err error, vendor string) []string {
	t.Helper()
	var fields []string
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var ce *ConfigError
		if !errors.As(e, &ce) {
			t.Errorf("%v is not a *ConfigError", e)
			return
		}
		if ce.Vendor != vendor {
			t.Errorf("%v names vendor %q, want %q", e, ce.Vendor, vendor)
		}
		fields = append(fields, ce.Field)
	}
	if err != nil {
		walk(err)
	}
	slices.Sort(fields)
	return fields
}

// checkConfigErrors fails t unless err reports exactly the fields want
// (sorted), each once.
func checkConfigErrors(t *testing.T, what string, err error, vendor string, want ...string) {
	t.Helper()
	got := configErrorFields(t, err, vendor)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: Validate reported %v, want %v\n%v", what, got, want, err)
	}
}

// readMap returns out.Read[name] as an object.
func readMap(out nodeOutput, name string) map[string]any {
	m, _ := out.Read[name].(map[string]any)
	return m
}

// jsonString returns v (a value decoded from the harness) as compact JSON.
func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func regexpMatch(pattern, s string) bool {
	return regexp.MustCompile(pattern).MatchString(s)
}

// hmacHexOf is HMAC-SHA256(key, msg) in lowercase hex from the standard
// library alone, to check signatures as received.
func hmacHexOf(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// jwtSubject returns a JWT's sub claim, decoded without verification (the
// signature is checked by the vectors' tests).
func jwtSubject(token string) string {
	var claims struct {
		Sub string `json:"sub"`
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(b, &claims) != nil {
		return ""
	}
	return claims.Sub
}

// objectSink collects what a widget writes as an Object, for tests that
// look at single fields.
type objectSink struct {
	root  Object
	stack []objectFrame
}

type objectFrame struct {
	key string
	obj Object
}

func (o *objectSink) add(f Field) {
	if n := len(o.stack); n > 0 {
		o.stack[n-1].obj = append(o.stack[n-1].obj, f)
		return
	}
	o.root = append(o.root, f)
}

func (o *objectSink) String(key, value string) { o.add(Field{key, value}) }
func (o *objectSink) Value(key string, v any)  { o.add(Field{key, v}) }
func (o *objectSink) Object(key string)        { o.stack = append(o.stack, objectFrame{key, Object{}}) }
func (o *objectSink) End() {
	top := o.stack[len(o.stack)-1]
	o.stack = o.stack[:len(o.stack)-1]
	o.add(Field{top.key, top.obj})
}

// collect runs write into an objectSink: nil when nothing was written.
func collect(write func(dataSink) error) (Object, error) {
	var o objectSink
	if err := write(&o); err != nil {
		return nil, err
	}
	return o.root, nil
}

// The visitor data each widget writes, as an Object.
func (ic *Intercom) visitorData(v Visitor, now time.Time) (Object, error) {
	return collect(func(s dataSink) error { return ic.write(s, v, now) })
}
func (c *Crisp) visitorData(v Visitor) (Object, error) {
	return collect(func(s dataSink) error { return c.write(s, v) })
}
func (tk *TawkTo) visitorData(v Visitor) (Object, error) {
	return collect(func(s dataSink) error { return tk.write(s, v) })
}
func (cw *Chatwoot) visitorData(v Visitor) (Object, error) {
	return collect(func(s dataSink) error { return cw.write(s, v) })
}
func (hs *HelpScout) visitorData(v Visitor) (Object, error) {
	return collect(func(s dataSink) error { return hs.write(s, v) })
}
func (f *Front) visitorData(v Visitor) (Object, error) {
	return collect(func(s dataSink) error { return f.write(s, v) })
}
func (dr *Drift) visitorData(v Visitor, now time.Time) (Object, error) {
	return collect(func(s dataSink) error { return dr.write(s, v, now) })
}
func (h *HubSpot) visitorData(ctx context.Context, v Visitor) (Object, error) {
	return collect(func(s dataSink) error { return h.write(ctx, testRequest(), s, v) })
}
