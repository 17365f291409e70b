package vendors

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// widgetCall is one call of a widget code's functions: fn is "identify",
// "anonymous", "reset" or "update"; v is the visitor data (nil for anonymous
// and reset).
type widgetCall struct {
	fn string
	v  Object
}

// widgetScript returns a script that applies code's functions in order to
// the window with configuration c, every value written by the encoder, the
// way a page receives them.
func widgetScript(t *testing.T, code jsCode, c Object, calls ...widgetCall) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("(function(W){var k=")
	b.WriteString(string(code))
	b.WriteString(";var c=")
	cj, err := AppendJS(nil, c)
	if err != nil {
		t.Fatal(err)
	}
	b.Write(cj)
	b.WriteString(";\n")
	for _, call := range calls {
		b.WriteString("k." + call.fn + "(W,c")
		if call.v != nil {
			vj, err := AppendJS(nil, call.v)
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(",")
			b.Write(vj)
		}
		b.WriteString(");\n")
	}
	b.WriteString("})(window);\n")
	checkScriptSafe(t, "widget script", []byte(b.String()))
	return b.String()
}

// runWidget runs prelude (test set-up, such as marking a stub widget as
// loaded) and then the calls, in the node harness.
func runWidget(t *testing.T, in nodeInput, prelude string, code jsCode, c Object, calls ...widgetCall) nodeOutput {
	t.Helper()
	in.Script = prelude + widgetScript(t, code, c, calls...)
	return runNode(t, in)
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
