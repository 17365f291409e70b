package site

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// What other example applications (examples/htmx) reuse of the demo: the
// stand-in widgets with their vendor servers, the four vendors configured
// against them, and the demo's signed session cookie.

// StandinPrefix is the URL path under which Standins serves the stand-in
// widget scripts (webim.js, edna.js, helpcrunch.js, zendesk.js), demo.css
// and each stand-in's vendor server (POST <vendor>/verify).
const StandinPrefix = standinPrefix

// StandinEdna is the URL of edna's stand-in init code, which a page loads
// itself (edna's loader is the site's, not chatident's).
const StandinEdna = standinEdna

// Standins returns the handler of everything under StandinPrefix.
func Standins(s Secrets, now func() time.Time) (http.Handler, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return standinHandler(s, newHubSpotAPI(s.HubSpotToken, now), now)
}

// Vendors returns the demo's four seed vendors (Webim, edna, HelpCrunch,
// Zendesk), configured against the stand-ins.
func Vendors(s Secrets) []vendors.Vendor { return demoVendors(s) }

// Sessions is the demo's signed session cookie.
type Sessions struct{ s *sessions }

// NewSessions returns the session cookie signed with s.SessionKey.
func NewSessions(s Secrets, log *slog.Logger) *Sessions {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sessions{newSessions(s.SessionKey, log)}
}

// Source is the middleware's reader of the session cookie.
func (s *Sessions) Source() middleware.Source { return s.s.source() }

// Current returns the request's signed-in visitor, or nil.
func (s *Sessions) Current(r *http.Request) *vendors.Visitor { return s.s.current(r) }

// SignIn sets the session cookie for v. It refuses a visitor the cookie
// cannot hold (no ID, a value over 256 bytes or not UTF-8), saying why.
func (s *Sessions) SignIn(w http.ResponseWriter, r *http.Request, v vendors.Visitor) error {
	sess := session{UserID: v.ID, Name: v.Name, Email: v.Email, Phone: v.Phone, Company: v.Company}
	if err := sess.check(); err != nil {
		return err
	}
	value, err := s.s.codec.Encode(sessionCookie, sess)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: value, Path: "/", MaxAge: sessionMaxAge,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	return nil
}

// SignOut expires the session cookie.
func (s *Sessions) SignOut(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// SameOrigin reports whether a state-changing request may be trusted not to
// come from another site (see the demo's sign-in).
func SameOrigin(r *http.Request) bool { return sameOrigin(r) }
