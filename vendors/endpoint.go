package vendors

import (
	"net/http"
	"slices"
)

// The reasons endpoints report in EndpointResult.Reason.
const (
	ReasonAnonymous = "anonymous"  // no signed-in visitor: 401
	ReasonMethod    = "method"     // not a GET: 405
	ReasonCrossSite = "cross_site" // a cross-site request from an origin not allowed: 403
	ReasonError     = "error"      // building the response failed: 500
	ReasonDeclined  = "declined"   // no object for this visitor (ErrWebimAmbiguous): 401
)

// EndpointReasons returns every reason the endpoints of this package's
// vendors report, in a fixed order.
func EndpointReasons() []string {
	return []string{ReasonAnonymous, ReasonMethod, ReasonCrossSite, ReasonError, ReasonDeclined}
}

// writeJSON sends body as an uncacheable JSON response. The headers are set
// before WriteHeader, which ignores any set after it.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// refuse answers with a JSON error naming reason, and reports it.
func refuse(w http.ResponseWriter, status int, reason string) EndpointResult {
	writeJSON(w, status, append(append([]byte(`{"error":`), JSString(reason)...), '}'))
	return EndpointResult{Reason: reason}
}

// gate applies the rules every identity endpoint shares: GET only, and no
// cross-site use unless the Origin is allowed, in which case the CORS
// headers for a credentialed request are set. It reports whether the request
// may go on; when not, the response has been written.
func gate(w http.ResponseWriter, r *http.Request, allowed []string) (EndpointResult, bool) {
	if r == nil || r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		return refuse(w, http.StatusMethodNotAllowed, ReasonMethod), false
	}
	origin := r.Header.Get("Origin")
	if len(allowed) > 0 {
		// The answer depends on Origin, so no cache may reuse it for another.
		w.Header().Add("Vary", "Origin")
	}
	ok := origin != "" && slices.Contains(allowed, origin)
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" && !ok {
		return refuse(w, http.StatusForbidden, ReasonCrossSite), false
	}
	if ok {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	return EndpointResult{}, true
}
