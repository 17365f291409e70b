package vendors

import (
	"crypto/hmac"
	"net"
	"net/url"
	"strings"
)

// checkID reports an id that is empty, longer than max, or holds a byte
// outside [A-Za-z0-9] and extra. Widget ids end up in script URLs and API
// paths, so a stray character is a mistake worth reporting at start-up.
func checkID(vendor, field, id string, max int, extra string) error {
	if id == "" {
		return configErr(vendor, field, "is empty")
	}
	if len(id) > max {
		return configErr(vendor, field, "is too long")
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return configErr(vendor, field, "has a character other than "+allowedChars(extra))
		}
	}
	return nil
}

func allowedChars(extra string) string {
	if extra == "" {
		return "letters and digits"
	}
	return `letters, digits and "` + extra + `"`
}

// checkDistinctKeys reports a key that is the same as another of the same
// vendor: one secret must not serve two purposes, or learning one (a key
// shown in the vendor's dashboard) gives the other (an id key that must stay
// the site's own).
func checkDistinctKeys(vendor, field string, key []byte, otherField string, other []byte) error {
	if len(key) > 0 && len(other) > 0 && hmac.Equal(key, other) {
		return configErr(vendor, field, "is the same as "+otherField+"; use a separate key")
	}
	return nil
}

// checkBaseURL accepts an absolute https URL with a host and no user info,
// query or fragment; http only for a loopback host (a local stand-in or a
// development server), since the URL carries credentials or loads code.
func checkBaseURL(vendor, field, u string) error {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || p.User != nil || p.RawQuery != "" || p.Fragment != "" || p.Opaque != "" {
		return configErr(vendor, field, "is not an absolute https URL without query or fragment")
	}
	switch p.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(p.Hostname()) {
			return nil
		}
		return configErr(vendor, field, "uses http; only https is allowed, except for localhost")
	}
	return configErr(vendor, field, "is not an absolute https URL without query or fragment")
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
