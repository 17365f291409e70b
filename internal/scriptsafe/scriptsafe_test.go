package scriptsafe

import (
	"strings"
	"testing"
)

func TestBreaksOutAndASCII(t *testing.T) {
	tests := []struct {
		js       string
		breaks   bool
		notASCII bool
	}{
		{`a("x");`, false, false},
		{`if(a<b){c()}`, false, false},
		{`x="<script>";`, false, false},
		{`x="<\/script>";`, false, false},
		{`x="</script>";`, true, false},
		{`x="</SCRIPT ";`, true, false},
		{`x="</sCrIpT";`, true, false},
		{`x="<!--";`, true, false},
		{`x="<<!--";`, true, false},
		{`x="<";`, false, false},
		{`x="</scrip"`, false, false},
		{`a="<!-"`, false, false},
		{"x=\"\u2028\";", false, true},
		{"x=\"\x80\";", false, true},
		{"0123456789abcdef\xff", false, true},
	}
	for _, tt := range tests {
		if got := BreaksOut([]byte(tt.js)); got != tt.breaks {
			t.Errorf("BreaksOut(%q) = %v, want %v", tt.js, got, tt.breaks)
		}
		if got := ASCII([]byte(tt.js)); got == tt.notASCII {
			t.Errorf("ASCII(%q) = %v", tt.js, got)
		}
	}
}

func FuzzBreaksOut(f *testing.F) {
	f.Add([]byte(`a("</script>")`))
	f.Add([]byte("x<!--y"))
	f.Add([]byte("0123456789\x80"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := BreaksOut(b), breaksOutSlow(b); got != want {
			t.Fatalf("BreaksOut(%q) = %v, want %v", b, got, want)
		}
		if got, want := ASCII(b), asciiSlow(b); got != want {
			t.Fatalf("ASCII(%q) = %v, want %v", b, got, want)
		}
	})
}

// breaksOutSlow is a slow, obviously correct statement of BreaksOut.
func breaksOutSlow(b []byte) bool {
	s := strings.ToLower(string(b))
	return strings.Contains(s, "<!--") || strings.Contains(s, "</script")
}

func asciiSlow(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
