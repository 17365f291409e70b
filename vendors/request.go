package vendors

import (
	"errors"
	"time"
)

// ErrNoVisitorID is returned when a vendor is asked to identify a Visitor
// whose ID is empty: without it no vendor can tell one person from another.
var ErrNoVisitorID = errors.New("vendors: visitor has no ID")

// now returns r.Now, or the current time when the caller left it zero, so
// that a signature never carries a timestamp from the year 1.
func now(r Request) time.Time {
	if r.Now.IsZero() {
		return time.Now()
	}
	return r.Now
}

// endpointURL returns the URL path of one of a vendor's endpoints.
func endpointURL(vendor string, r Request, path string) (string, error) {
	if r.Endpoints == "" || r.Endpoints[0] != '/' || r.Endpoints[len(r.Endpoints)-1] != '/' {
		return "", errors.New(vendor + `: Request.Endpoints must be a path starting and ending with "/"`)
	}
	return r.Endpoints + path, nil
}
