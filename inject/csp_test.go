package inject

import (
	"fmt"
	"testing"
)

// Hash sources for the scripts below, made with openssl:
//
//	printf '%s' 'alert(1)' | openssl dgst -sha256 -binary | openssl base64 -A
//	→ bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=
//	printf '%s' 'window.chat={id:"42"};' | openssl dgst -sha256 -binary | openssl base64 -A
//	→ 4VezfCUshwFfiLct/S/RlzqP1oqC+oZwmv40CVvHcJI=
const (
	alertHash = "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
	chatHash  = "'sha256-4VezfCUshwFfiLct/S/RlzqP1oqC+oZwmv40CVvHcJI='"
)

func TestHashSourceMatchesOpenSSL(t *testing.T) {
	if got := hashSource(testScript); got != chatHash {
		t.Fatalf("hashSource(testScript) = %s, openssl says %s", got, chatHash)
	}
}

func TestPlanCSP(t *testing.T) {
	const H = alertHash
	for _, tc := range []struct {
		name          string
		enforce, ro   []string
		nonce         string
		blocks        bool
		wantE, wantRO []string // nil: unchanged
	}{
		{name: "no policy"},
		{name: "no script directive", enforce: []string{"img-src *; style-src 'self'"}},
		{name: "default-src gets a script-src copy",
			enforce: []string{"default-src 'self' https://cdn.example"},
			wantE:   []string{"default-src 'self' https://cdn.example; script-src 'self' https://cdn.example " + H}},
		{name: "default-src with trailing semicolon",
			enforce: []string{"default-src 'self';"},
			wantE:   []string{"default-src 'self'; script-src 'self' " + H + ";"}},
		{name: "script-src gets the hash",
			enforce: []string{"script-src 'self'; img-src *"},
			wantE:   []string{"script-src 'self' " + H + "; img-src *"}},
		{name: "script-src-elem governs over script-src",
			enforce: []string{"script-src 'unsafe-inline'; script-src-elem 'self'"},
			wantE:   []string{"script-src 'unsafe-inline'; script-src-elem 'self' " + H}},
		{name: "script-src governs over default-src 'none'",
			enforce: []string{"default-src 'none'; script-src 'self'"},
			wantE:   []string{"default-src 'none'; script-src 'self' " + H}},
		{name: "unsafe-inline allows", enforce: []string{"script-src 'self' 'unsafe-inline'"}},
		{name: "unsafe-inline in default-src allows", enforce: []string{"default-src * 'UNSAFE-INLINE'"}},
		{name: "unsafe-inline neutralised by a hash",
			enforce: []string{"script-src 'unsafe-inline' 'sha384-abc'"},
			wantE:   []string{"script-src 'unsafe-inline' 'sha384-abc' " + H}},
		{name: "unsafe-inline neutralised by strict-dynamic",
			enforce: []string{"script-src 'unsafe-inline' 'strict-dynamic' https:"},
			wantE:   []string{"script-src 'unsafe-inline' 'strict-dynamic' https: " + H}},
		{name: "nonce satisfies", enforce: []string{"script-src 'nonce-r4nd0m' 'strict-dynamic' 'unsafe-inline'"}, nonce: "r4nd0m"},
		{name: "nonce in default-src", enforce: []string{"default-src 'self' 'nonce-abc='"}, nonce: "abc="},
		{name: "nonce prefix any case, value as is", enforce: []string{"script-src 'NoNcE-AbC'"}, nonce: "AbC"},
		{name: "first nonce wins, the other policy gets the hash",
			enforce: []string{"script-src 'nonce-AAA'"}, ro: []string{"script-src 'nonce-BBB'"},
			nonce: "AAA", wantRO: []string{"script-src 'nonce-BBB' " + H}},
		{name: "report-only nonce used when enforce has none",
			enforce: []string{"script-src 'self'"}, ro: []string{"script-src 'nonce-BBB'"},
			nonce: "BBB", wantE: []string{"script-src 'self' " + H}},
		{name: "invalid nonce is no nonce and neutralises nothing",
			enforce: []string{`script-src 'nonce-a"b' 'unsafe-inline'`}},
		{name: "invalid nonce, no unsafe-inline",
			enforce: []string{`script-src 'nonce-a<b'`},
			wantE:   []string{`script-src 'nonce-a<b' ` + H}},
		{name: "several policies in one value",
			enforce: []string{"script-src 'self', default-src https:,img-src *"},
			wantE:   []string{"script-src 'self' " + H + ", default-src https:; script-src https: " + H + ",img-src *"}},
		{name: "several values, only one changed",
			enforce: []string{"img-src *", "script-src 'self'"},
			wantE:   []string{"img-src *", "script-src 'self' " + H}},
		{name: "first of duplicate directives counts",
			enforce: []string{"script-src 'unsafe-inline'; script-src 'self'"}},
		{name: "directive names any case, white space kept",
			enforce: []string{"  Script-Src \t 'self'  ;img-src *"},
			wantE:   []string{"  Script-Src \t 'self' " + H + "  ;img-src *"}},
		{name: "'none' blocks", enforce: []string{"script-src 'none'"}, blocks: true},
		{name: "'NONE' in default-src blocks", enforce: []string{"default-src 'NONE'; img-src *"}, blocks: true},
		{name: "empty script-src blocks", enforce: []string{"script-src ; img-src *"}, blocks: true},
		{name: "'none' among others is ignored",
			enforce: []string{"script-src 'none' 'self'"},
			wantE:   []string{"script-src 'none' 'self' " + H}},
		{name: "report-only 'none' blocks too", enforce: []string{"script-src 'self'"}, ro: []string{"script-src 'none'"}, blocks: true},
		{name: "'none' in a later policy of a value blocks", enforce: []string{"script-src *, default-src 'none'"}, blocks: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := planCSP(tc.enforce, tc.ro, []byte("alert(1)"))
			if p.nonce != tc.nonce || p.blocks != tc.blocks {
				t.Fatalf("nonce %q blocks %v, want %q %v", p.nonce, p.blocks, tc.nonce, tc.blocks)
			}
			if fmt.Sprintf("%q", p.enforce) != fmt.Sprintf("%q", tc.wantE) {
				t.Errorf("enforce\n%q\nwant\n%q", p.enforce, tc.wantE)
			}
			if fmt.Sprintf("%q", p.report) != fmt.Sprintf("%q", tc.wantRO) {
				t.Errorf("report-only\n%q\nwant\n%q", p.report, tc.wantRO)
			}
			if tc.wantE == nil && len(tc.enforce) > 0 && p.enforce != nil {
				t.Errorf("unchanged header rewritten")
			}
		})
	}
}

func TestPlanCSPLeavesInputAlone(t *testing.T) {
	in := []string{"script-src 'self'"}
	p := planCSP(in, nil, []byte("alert(1)"))
	if in[0] != "script-src 'self'" || p.enforce[0] == in[0] {
		t.Fatalf("input %q, output %q", in, p.enforce)
	}
}

func TestValidBase64Value(t *testing.T) {
	for v, want := range map[string]bool{
		"abc": true, "AZaz09+/-_": true, "abc=": true, "abc==": true,
		"": false, "=": false, "abc===": false, "a=b": false, `a"b`: false, "a b": false, "a>b": false, "é": false,
	} {
		if got := validBase64Value(v); got != want {
			t.Errorf("validBase64Value(%q) = %v", v, got)
		}
	}
}
