package vendors

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestAppendJSValues(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, `null`},
		{"true", true, `true`},
		{"false", false, `false`},
		{"int", -42, `-42`},
		{"int8", int8(-8), `-8`},
		{"uint16", uint16(65535), `65535`},
		{"int64 max safe", int64(1<<53 - 1), `9007199254740991`},
		{"int64 min safe", int64(-(1<<53 - 1)), `-9007199254740991`},
		{"uint64", uint64(1481195621), `1481195621`},
		{"float", 1.5, `1.5`},
		{"float big", 1e21, `1e+21`},
		{"float32", float32(0.25), `0.25`},
		{"empty string", "", `""`},
		{"plain", "Hello, world", `"Hello, world"`},
		{"quotes", `"'`, `"\u0022\u0027"`},
		{"backslash", `a\b`, `"a\\b"`},
		{"html", "<a href=x>&amp;</a>", `"\u003ca href=x\u003e\u0026amp;\u003c/a\u003e"`},
		{"newlines", "a\nb\rc\td", `"a\nb\rc\td"`},
		{"controls", "\x00\x1f\x7f", `"\u0000\u001f\u007f"`},
		{"line separators", "\u2028\u2029", `"\u2028\u2029"`},
		{"cyrillic", "Ева", `"\u0415\u0432\u0430"`},
		{"bmp top", "\uffff", `"\uffff"`},
		{"astral", "😀", `"\ud83d\ude00"`},
		{"astral max", "\U0010FFFF", `"\udbff\udfff"`},
		{"invalid byte", "a\xffb", `"a\ufffdb"`},
		{"truncated sequence", "\xe2\x82", `"\ufffd\ufffd"`},
		{"encoded surrogate", "\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},
		{"real U+FFFD", "\ufffd", `"\ufffd"`},
		{"script end", "</script>", `"\u003c/script\u003e"`},
		{"slice", []string{"a", "<"}, `["a","\u003c"]`},
		{"nil slice", []string(nil), `[]`},
		{"any slice", []any{1, "x", nil, true, []any{}}, `[1,"x",null,true,[]]`},
		{"string map sorted", map[string]string{"b": "2", "a": "1", "é": "3"}, `{"a":"1","b":"2","\u00e9":"3"}`},
		{"nil map", map[string]string(nil), `{}`},
		{"any map", map[string]any{"z": 1, "a": map[string]any{"k": "v"}}, `{"a":{"k":"v"},"z":1}`},
		{"object order", Object{{"z", 1}, {"a", "<"}, {"m", Object{}}}, `{"z":1,"a":"\u003c","m":{}}`},
		{"object key escaped", Object{{`"}`, 1}}, `{"\u0022}":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendJS([]byte("x="), tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "x="+tt.want {
				t.Errorf("AppendJS(%#v) = %s, want x=%s", tt.in, got, tt.want)
			}
		})
	}
}

func TestAppendJSRejects(t *testing.T) {
	cyclic := []any{nil}
	cyclic[0] = cyclic
	loop := map[string]any{}
	loop["self"] = loop
	tests := []struct {
		name string
		in   any
	}{
		{"struct", struct{}{}},
		{"pointer", new(string)},
		{"named string", namedString("x")},
		{"func", func() {}},
		{"unsafe int", int64(1 << 53)},
		{"unsafe negative", int64(-(1 << 53))},
		{"unsafe uint", uint64(math.MaxUint64)},
		{"NaN", math.NaN()},
		{"Inf", math.Inf(-1)},
		{"nested unsupported", []any{1, struct{}{}}},
		{"map of unsupported", map[string]any{"a": []int{1}}},
		{"object of unsupported", Object{{"a", 1}, {"b", complex(1, 1)}}},
		{"cyclic slice", cyclic},
		{"cyclic map", loop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := []byte("kept")
			got, err := AppendJS(dst, tt.in)
			if err == nil {
				t.Fatalf("AppendJS(%T) = %s, want an error", tt.in, got)
			}
			if string(got) != "kept" {
				t.Errorf("on error dst = %q, want it unchanged", got)
			}
		})
	}
}

// namedString is not encoded: only the types AppendJS lists are.
type namedString string

// TestJSStringDecodes checks the encoder against an independent decoder:
// encoding/json reads every literal back as the browser form of the input.
func TestJSStringDecodes(t *testing.T) {
	inputs := append([]string{"", "plain", "\t\n\r\b\f", "\x80\xbf\xc0\xc1\xf5\xff", "\xf0\x9f\x98"}, hostileStrings...)
	for _, s := range inputs {
		lit := JSString(s)
		var got string
		if err := json.Unmarshal(lit, &got); err != nil {
			t.Fatalf("JSString(%q) = %s: not a JSON string: %v", s, lit, err)
		}
		if got != browserForm(s) {
			t.Errorf("JSString(%q) decodes to %q, want %q", s, got, browserForm(s))
		}
		checkScriptSafe(t, "JSString", lit)
	}
}

// TestJSStringInNode checks that JavaScript itself reads each literal back as
// the browser form of the input (JSON and JavaScript differ on U+2028).
func TestJSStringInNode(t *testing.T) {
	inputs := append([]string{"", "\x80\xff", "\U0001F600\U0010FFFF"}, hostileStrings...)
	s := &script{}
	s.code("window.v = [")
	for i, in := range inputs {
		if i > 0 {
			s.code(",")
		}
		s.value(in)
	}
	s.code("];")
	b, err := s.bytes()
	if err != nil {
		t.Fatal(err)
	}
	out := runNode(t, nodeInput{Script: string(b), Read: []string{"v"}})
	got, _ := out.Read["v"].([]any)
	if len(got) != len(inputs) {
		t.Fatalf("node read %d values, want %d", len(got), len(inputs))
	}
	for i, in := range inputs {
		if got[i] != browserForm(in) {
			t.Errorf("node read %q for %q, want %q", got[i], in, browserForm(in))
		}
	}
}

func FuzzJSString(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s)
	}
	f.Add("\xed\xbf\xbf\xf4\x90\x80\x80")
	f.Fuzz(func(t *testing.T, s string) {
		lit := JSString(s)
		for _, c := range lit[1 : len(lit)-1] {
			if c >= 0x80 || c < 0x20 || strings.IndexByte(`<>&'"`, c) >= 0 {
				t.Fatalf("JSString(%q) = %s: unescaped %q", s, lit, c)
			}
		}
		var got string
		if err := json.Unmarshal(lit, &got); err != nil {
			t.Fatalf("JSString(%q) = %s: %v", s, lit, err)
		}
		if got != browserForm(s) {
			t.Fatalf("JSString(%q) decodes to %q, want %q", s, got, browserForm(s))
		}
	})
}

func FuzzAppendJSObject(f *testing.F) {
	f.Add("k", "v", int64(1))
	f.Add("</script>", "<!--", int64(-1<<53))
	f.Fuzz(func(t *testing.T, k, v string, n int64) {
		in := Object{{k, v}, {"n", n}, {"m", map[string]string{v: k}}}
		got, err := AppendJS(nil, in)
		if n > maxSafeInteger || n < -maxSafeInteger {
			if err == nil {
				t.Fatalf("AppendJS accepted unsafe integer %d", n)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		checkScriptSafe(t, "AppendJS", got)
		if !json.Valid(got) {
			t.Fatalf("AppendJS output is not JSON: %s", got)
		}
	})
}
