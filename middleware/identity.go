package middleware

import (
	"net/http"
	"strconv"

	"github.com/chatident/chatident/inject"
)

// identityPath is the identity endpoint's path under the endpoint prefix.
const identityPath = "identity"

// Reasons of EventResponse for the identity endpoint.
const (
	reasonIdentity        = "identity"         // page data served as JSON
	reasonIdentityRefused = "identity_refused" // cross-site or not GET/HEAD
)

// serveIdentity answers GET <EndpointPrefix>identity with the visitor's page
// data as JSON: exactly what a page served now would carry in its script's
// data-chatident attribute (see runtime.go), built the same way. The page
// runtime fetches it to change identity without a page load.
//
//   - 200 for every visitor, anonymous ones too: an anonymous visitor's data
//     is what the runtime needs to reset the widgets after a sign-out or to
//     go on anonymously (a 401 would leave it nothing to apply). The body is
//     {"v":1,"vendors":{}} when no vendor has anything to do.
//   - The sign-out marker is handled as for a page that got the script: the
//     resets in this answer consume it (Set-Cookie expires it), and an
//     identified answer sets it, since the runtime applies what it fetched.
//   - Same origin only: 403 when the browser marks the request
//     Sec-Fetch-Site cross-site or same-site (a sibling subdomain is
//     another origin). No CORS header is ever sent, so no other origin can
//     read the answer.
//   - 405 with Allow: GET, HEAD for other methods. HEAD gets the headers
//     of the GET, except the marker: with no body, it must not spend the
//     resets.
//   - Cache-Control: no-store and X-Content-Type-Options: nosniff on every
//     answer. The body carries only what pages carry: signatures, opaque
//     ids and endpoint URLs, never a secret.
//   - Without consent (Config.Consent), the data carries no identity, as
//     pages do.
func (m *Middleware) serveIdentity(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		h.Set("Allow", "GET, HEAD")
		m.identityError(w, r, http.StatusMethodNotAllowed, "method_not_allowed")
		return
	case !sameOrigin(r):
		m.identityError(w, r, http.StatusForbidden, "cross_site")
		return
	}
	p := m.pages.Get().(*page)
	p.r, p.identity = r, true
	p.Script(h)
	if len(p.data) == 0 {
		// Building the data panicked (logged by Script): nothing to apply.
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":"internal"}`))
		p.Done(inject.Outcome{Reason: inject.NoScript, Status: http.StatusInternalServerError})
		return
	}
	if r.Method == http.MethodGet {
		// A HEAD answer carries no data, so it must not spend the resets.
		p.Commit(h, inject.Inserted)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(p.data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(p.data)
	}
	p.Done(inject.Outcome{Reason: inject.Injected, Status: http.StatusOK})
}

// sameOrigin reports whether the browser did not mark r as coming from
// another origin. Clients that send no Fetch Metadata pass: they are not
// browsers acting for another site.
func sameOrigin(r *http.Request) bool {
	site := r.Header["Sec-Fetch-Site"]
	return len(site) == 0 || site[0] == "same-origin" || site[0] == "none"
}

// identityError answers a refused identity request with a JSON error.
func (m *Middleware) identityError(w http.ResponseWriter, r *http.Request, status int, reason string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"error":"` + reason + `"}`))
	m.emit(r.Context(), Event{Kind: EventResponse, Reason: reasonIdentityRefused})
}
