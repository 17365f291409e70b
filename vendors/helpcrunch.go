package vendors

import (
	"context"
)

// HelpCrunch identifies signed-in visitors to the HelpCrunch chat widget in
// its user authentication mode. The script loads the widget and calls:
//
//	HelpCrunch("init", "<organization>", {"appId":"…","user":{"user_id":"…","name":"…","email":"…","security_hash":"…"}});
//	HelpCrunch("showChatWidget");
//
// # Identity
//
// HelpCrunch authenticates a visitor when init carries user.user_id; the
// user object also gets name, email, phone, company and custom_data (the
// Visitor's Attributes), each left out when empty. security_hash is
// HMAC-SHA256(Secret, user_id as sent), lowercase hex, so that no one can
// claim another user_id from their browser.
//
// By default the user_id sent is not the site's id but an opaque one,
// HMAC-SHA256(Secret, ID) in hex (see hashedUserID), so HelpCrunch never
// sees the site's ids and no one can guess a user_id. RawUserID sends the
// site's id instead; see it for the risk and for when a live install must
// set it.
//
// Anonymous visitors get init without user: HelpCrunch shows its pre-chat
// form.
//
// The script loads the widget itself (unless a script with the same URL is
// already on the page), so remove HelpCrunch's own installation snippet from
// pages served through chatident: two init calls would conflict.
//
// # Secrets
//
// Secret never reaches the browser.
//
// # Security notes: the hash is pinned
//
// Once HelpCrunch has seen a security_hash for a user_id, every later init
// for that user_id must carry the same value, or the widget gets 403 and an
// empty chat. So never rotate Secret and never switch RawUserID on an
// existing install: either change makes every known user's chat fail or
// start over.
//
// The pin is also why user ids must not be guessable: HelpCrunch holds no
// secret of the site and keeps the first hash it sees for a user_id. With
// raw ids, anyone who can load the widget can send init for a user_id that
// has not chatted yet with a made-up hash, and the real user is then locked
// out (403) for good. An opaque user_id cannot be guessed, so no one can
// claim it first; that is why it is the default.
//
// Build the value once and do not change its fields after passing it to
// middleware.New: requests read it concurrently. Copying it is harmless.
type HelpCrunch struct {
	// Organization is the HelpCrunch organization (the subdomain of
	// helpcrunch.com), required.
	Organization string
	// AppID is the widget's appId from HelpCrunch's setup code, required.
	// It is sent as a string.
	AppID string
	// Secret signs user ids (required, at least 16 bytes). Never rotate it on
	// a live install: see the security notes.
	Secret []byte
	// HashUserID is kept so that configurations written for earlier
	// versions still compile; it has no effect, because the hashed user_id
	// it used to turn on is now the default. Setting it together with
	// RawUserID is a configuration error.
	//
	// Deprecated: the hashed user_id is the default; use RawUserID to send
	// raw ids.
	HashUserID bool
	// RawUserID sends the site's user id itself as user_id instead of the
	// opaque HMAC-SHA256(Secret, ID).
	//
	// Risk: HelpCrunch pins the first security_hash it sees for a user_id
	// and holds no secret of the site, so with raw ids that can be guessed
	// (database keys, sequential numbers, e-mail addresses) anyone can claim
	// a user who has not chatted yet with a made-up hash, and that user then
	// gets 403 and an empty chat for good.
	//
	// Migration: an install that already sent raw ids (every install that
	// did not set HashUserID before hashed ids became the default) must set
	// RawUserID, or each of its users becomes a new, empty HelpCrunch
	// contact under a new user_id and loses their history. New installs
	// should leave it false. Never switch it on a live install.
	RawUserID bool
	// WidgetURL is the widget script; https://<Organization>.widget.helpcrunch.com/
	// by default.
	WidgetURL string
	// HideWidget leaves out showChatWidget, for pages that open the chat
	// from their own button (HelpCrunch('openChat')).
	HideWidget bool

	macs hmacStates // the state under Secret, made by Prepare
}

const helpCrunchName = "helpcrunch"

// Name returns "helpcrunch".
func (h *HelpCrunch) Name() string { return helpCrunchName }

// Validate reports every configuration mistake, each a *ConfigError.
func (h *HelpCrunch) Validate() error {
	var errs configErrors
	if h.Organization == "" {
		errs.add(helpCrunchName, "Organization", "is empty")
	} else if !isDNSLabel(h.Organization) {
		errs.add(helpCrunchName, "Organization", "is not a DNS label (letters, digits, hyphens)")
	}
	if h.AppID == "" {
		errs.add(helpCrunchName, "AppID", "is empty")
	}
	errs.key(helpCrunchName, "Secret", h.Secret)
	if h.RawUserID && h.HashUserID {
		errs.add(helpCrunchName, "RawUserID", "is set together with HashUserID; set only RawUserID to send raw ids")
	}
	if h.WidgetURL != "" {
		errs.scriptURL(helpCrunchName, "WidgetURL", h.WidgetURL)
	}
	return errs.join()
}

// Prepare checks the configuration, prepares the keyed state and returns
// HelpCrunch's constant code:
//
//   - Identify loads the widget, calls init with appId and the visitor's
//     user object (d.user) and, unless HideWidget, showChatWidget;
//   - Anonymous does the same without user;
//   - Reset calls HelpCrunch('logout'), defining HelpCrunch's command queue
//     if the page has none yet, so the call waits for the widget however the
//     page loads it;
//   - Update calls HelpCrunch('updateUser', user) for a signed-in visitor
//     and HelpCrunch('logout') for one who signed out.
//
// HelpCrunch's JavaScript API lists log-out and user-update methods, but the
// exact command names used here ("logout", "updateUser") are unconfirmed by
// its docs.
func (h *HelpCrunch) Prepare(s Setup) (Script, error) {
	if err := h.Validate(); err != nil {
		return Script{}, err
	}
	h.macs.prepare(s.MemoSize, h.Secret)
	// One function for both: the page script keeps it once.
	code := h.init()
	return Script{
		Identify:  code,
		Anonymous: code,
		Reset:     string(helpCrunchQueue) + `HelpCrunch("logout");` + "\n",
		Update:    string(helpCrunchQueue) + `if(d){HelpCrunch("updateUser",d.user)}else{HelpCrunch("logout")}` + "\n",
	}, nil
}

// helpCrunchQueue defines HelpCrunch's command queue, as HelpCrunch's own
// snippet does, unless the widget or a queue is already there: the widget
// runs the queued commands when it loads. "There" means a function: markup
// such as <a id=HelpCrunch> makes window.HelpCrunch an element, which the
// queue replaces rather than calls.
const helpCrunchQueue jsCode = `(function(w){if(typeof w.HelpCrunch!=="function"){w.HelpCrunch=function(){w.HelpCrunch.q.push(arguments)};w.HelpCrunch.q=[]}})(window);` + "\n"

// init returns the loader, init with appId and, when d (the data) holds a
// visitor, its user object, then showChatWidget unless HideWidget.
func (h *HelpCrunch) init() string {
	src := h.WidgetURL
	if src == "" {
		src = "https://" + h.Organization + ".widget.helpcrunch.com/"
	}
	var s script
	s.code(helpCrunchQueue).loadScript(src)
	s.code(`HelpCrunch("init",`).str(h.Organization).code(`,d&&d.user?{appId:`).str(h.AppID).
		code(`,user:d.user}:{appId:`).str(h.AppID).code("});\n")
	if !h.HideWidget {
		s.code(`HelpCrunch("showChatWidget");` + "\n")
	}
	return s.text()
}

// Identify writes the visitor's user object, d.user.
func (h *HelpCrunch) Identify(ctx context.Context, r Request, v Visitor, d *Data) error {
	if !h.macs.ready() {
		return errNotPrepared
	}
	if v.ID == "" {
		return ErrNoVisitorID
	}
	userID := h.hashedUserID(v.ID)
	if h.RawUserID {
		userID = toValidUTF8(v.ID)
	}
	d.Object("user")
	d.String("user_id", userID)
	for _, f := range [...]struct{ key, value string }{{"name", v.Name}, {"email", v.Email}, {"phone", v.Phone}, {"company", v.Company}} {
		if f.value != "" {
			d.String(f.key, f.value)
		}
	}
	// Signed in the form the browser sends, so that the hash HelpCrunch
	// checks matches even if the id held invalid UTF-8.
	d.String("security_hash", h.macs.hex(h.Secret, userID))
	if len(v.Attributes) > 0 {
		d.Value("custom_data", v.Attributes)
	}
	d.End()
	return nil
}

// hashedUserID is the default user_id: HMAC-SHA256(Secret, id), lowercase
// hex. It cannot be guessed without Secret, so no one can claim a user's
// user_id at HelpCrunch before that user first chats (see RawUserID).
func (h *HelpCrunch) hashedUserID(id string) string {
	return h.macs.hex(h.Secret, id)
}
