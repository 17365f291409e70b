package vendors

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// MinSecretLen is the shortest secret or key, in bytes, any vendor accepts.
// Shorter keys make HMAC signatures and opaque ids guessable offline.
const MinSecretLen = 16

func configErr(vendor, field, problem string) error {
	return &ConfigError{Vendor: vendor, Field: field, Problem: problem}
}

// configErrors collects every mistake of one configuration, so that New
// reports them all at once.
type configErrors []error

func (e *configErrors) add(vendor, field, problem string) {
	*e = append(*e, configErr(vendor, field, problem))
}

func (e *configErrors) addErr(err error) {
	if err != nil {
		*e = append(*e, err)
	}
}

func (e *configErrors) key(vendor, field string, key []byte) {
	e.addErr(checkKey(vendor, field, key))
}

func (e *configErrors) scriptURL(vendor, field, u string) {
	e.addErr(checkScriptURL(vendor, field, u))
}

// join returns nil, the one error, or all of them joined.
func (e configErrors) join() error {
	switch len(e) {
	case 0:
		return nil
	case 1:
		return e[0]
	}
	return errors.Join(e...)
}

// checkKey reports a missing or short key.
func checkKey(vendor, field string, key []byte) error {
	switch {
	case len(key) == 0:
		return configErr(vendor, field, "is empty")
	case len(key) < MinSecretLen:
		return configErr(vendor, field, "is shorter than 16 bytes")
	}
	return nil
}

// isDNSLabel reports whether s is one label of a host name: 1 to 63 ASCII
// letters, digits and hyphens, not starting or ending with a hyphen.
func isDNSLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// isHostname reports whether s is a dot-separated sequence of DNS labels,
// optionally followed by a port.
func isHostname(s string) bool {
	if h, port, ok := strings.Cut(s, ":"); ok {
		if port == "" || strings.Trim(port, "0123456789") != "" || len(port) > 5 {
			return false
		}
		s = h
	}
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if !isDNSLabel(l) {
			return false
		}
	}
	return true
}

// checkScriptURL accepts an absolute http or https URL with a host, or a
// path on the site itself ("/static/widget.js"); these are the URLs a page
// may load a widget script from.
func checkScriptURL(vendor, field, u string) error {
	if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") {
		if _, err := url.Parse(u); err != nil {
			return configErr(vendor, field, "is not a valid URL path")
		}
		return nil
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return configErr(vendor, field, "is not an absolute http(s) URL or a path starting with /")
	}
	return nil
}

// checkOrigin accepts a web origin: scheme://host[:port], nothing after it.
// The message names the entry and what is wrong with it.
func checkOrigin(vendor, field, o string) error {
	problem := ""
	p, err := url.Parse(o)
	switch {
	case o == "*":
		problem = "is \"*\": list exact origins, never a wildcard"
	case o == "null":
		problem = "is \"null\", the origin of sandboxed and file pages, which anyone can send"
	case err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "":
		problem = "is not an http(s) origin"
	case p.User != nil || p.RawQuery != "" || p.Fragment != "" || (p.Path != "" && p.Path != "/"):
		problem = "has more than scheme://host[:port]"
	case strings.HasSuffix(o, "/"):
		problem = "ends with \"/\": an origin has no path (browsers send it without)"
	case o != strings.ToLower(o):
		problem = "is not lower case, as browsers send origins"
	}
	if problem == "" {
		return nil
	}
	return configErr(vendor, field, fmt.Sprintf("entry %q %s; want an exact origin such as \"https://app.example.com\"", o, problem))
}

// jsReserved are the words JavaScript does not allow as identifiers.
var jsReserved = map[string]bool{
	"await": true, "break": true, "case": true, "catch": true, "class": true, "const": true,
	"continue": true, "debugger": true, "default": true, "delete": true, "do": true, "else": true,
	"enum": true, "export": true, "extends": true, "false": true, "finally": true, "for": true,
	"function": true, "if": true, "implements": true, "import": true, "in": true,
	"instanceof": true, "interface": true, "let": true, "new": true, "null": true,
	"package": true, "private": true, "protected": true, "public": true, "return": true,
	"static": true, "super": true, "switch": true, "this": true, "throw": true, "true": true,
	"try": true, "typeof": true, "var": true, "void": true, "while": true, "with": true,
	"yield": true,
}

// isJSIdentifier reports whether s is an ASCII JavaScript identifier that is
// not a reserved word.
func isJSIdentifier(s string) bool {
	if s == "" || jsReserved[s] {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}
