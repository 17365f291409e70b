package site

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gorilla/securecookie"

	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

// sessionCookie names the demo's session cookie.
const sessionCookie = "chatident_demo_session"

// sessionMaxAge is how long a sign-in lasts, in seconds: the cookie's
// Max-Age and the age beyond which securecookie refuses it.
const sessionMaxAge = 8 * 60 * 60

// maxField caps each sign-in value in bytes, so that every session fits
// in one cookie (browsers keep 4096 bytes).
const maxField = 256

// maxLoginBody caps a sign-in request.
const maxLoginBody = 16 << 10

// session is what the demo keeps about a signed-in visitor. It is signed,
// not encrypted: the visitor can read it, so it holds nothing they may not.
type session struct {
	UserID  string `json:"user_id"`
	Name    string `json:"name,omitempty"`
	Email   string `json:"email,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Company string `json:"company,omitempty"`
}

// visitor is the session as chatident sees it.
func (s session) visitor() (vendors.Visitor, bool) {
	if s.UserID == "" {
		return vendors.Visitor{}, false
	}
	return vendors.Visitor{ID: s.UserID, Name: s.Name, Email: s.Email, Phone: s.Phone, Company: s.Company}, true
}

// sessions writes and reads the session cookie. The same keys, name, age and
// serializer configure the middleware's SessionCookie source, which is how
// chatident finds the visitor.
type sessions struct {
	hashKey []byte
	codec   *securecookie.SecureCookie
	log     *slog.Logger
}

func newSessions(hashKey []byte, log *slog.Logger) *sessions {
	c := securecookie.New(hashKey, nil)
	c.MaxAge(sessionMaxAge)
	c.SetSerializer(securecookie.JSONEncoder{})
	return &sessions{hashKey: hashKey, codec: c, log: log}
}

// source is the middleware's reader of this cookie.
func (s *sessions) source() *middleware.SessionCookie[session] {
	return &middleware.SessionCookie[session]{
		Name:       sessionCookie,
		HashKey:    s.hashKey,
		MaxAge:     sessionMaxAge,
		Serializer: securecookie.JSONEncoder{},
		Visitor:    session.visitor,
	}
}

// current returns the request's signed-in visitor, or nil. A cookie that does
// not verify is no session.
func (s *sessions) current(r *http.Request) *vendors.Visitor {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	var sess session
	if err := s.codec.Decode(sessionCookie, c.Value, &sess); err != nil {
		return nil
	}
	v, ok := sess.visitor()
	if !ok {
		return nil
	}
	return &v
}

// login signs in with the form's values and sends the browser home. A value
// that is missing, too long or not UTF-8 gets the form back, filled in, with
// the reason.
func (s *sessions) login(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, "sign-in must come from this site's own form", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the sign-in form could not be read", http.StatusBadRequest)
		return
	}
	sess := session{
		UserID:  r.PostForm.Get("user_id"),
		Name:    r.PostForm.Get("name"),
		Email:   r.PostForm.Get("email"),
		Phone:   r.PostForm.Get("phone"),
		Company: r.PostForm.Get("company"),
	}
	refuse := func(msg string) {
		form := vendors.Visitor{
			ID: valid(sess.UserID), Name: valid(sess.Name), Email: valid(sess.Email),
			Phone: valid(sess.Phone), Company: valid(sess.Company),
		}
		renderPage(w, r, s.log, http.StatusBadRequest, pageData{Form: form, Error: msg})
	}
	if err := sess.check(); err != nil {
		refuse(err.Error())
		return
	}
	value, err := s.codec.Encode(sessionCookie, sess)
	if err != nil {
		// securecookie refuses values over its length limit; maxField keeps
		// honest input under it, so this is a bug worth a log line.
		s.log.ErrorContext(r.Context(), "encoding the session", "err", err)
		refuse("the sign-in values are too long to keep in a cookie")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   sessionMaxAge,
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout ends the session and sends the browser home, where chatident resets
// the widgets.
func (s *sessions) logout(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, "sign-out must come from this site's own form", http.StatusForbidden)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// check reports the first sign-in value the demo cannot keep.
func (s session) check() error {
	fields := []struct{ name, value string }{
		{"user id", s.UserID}, {"name", s.Name}, {"e-mail", s.Email}, {"phone", s.Phone}, {"company", s.Company},
	}
	if strings.TrimSpace(s.UserID) == "" {
		return errors.New("a user id is required")
	}
	for _, f := range fields {
		if !utf8.ValidString(f.value) {
			return fmt.Errorf("the %s is not valid UTF-8", f.name)
		}
		if len(f.value) > maxField {
			return fmt.Errorf("the %s is %d bytes; at most %d fit", f.name, len(f.value), maxField)
		}
	}
	return nil
}

// valid makes s safe to show again in the form.
func valid(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// sameOrigin refuses a state-changing request that a browser says came from
// another site (login CSRF): SameSite cookies do not cover sign-in, which
// sets a cookie rather than using one. A request without these headers
// (curl, an old browser) is let through.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}
