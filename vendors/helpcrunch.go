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

	macs hmacStates // reused states under Secret
}

const helpCrunchName = "helpcrunch"

// Name returns "helpcrunch".
func (h *HelpCrunch) Name() string { return helpCrunchName }

// Validate reports the first configuration mistake as a *ConfigError.
func (h *HelpCrunch) Validate() error {
	if h.Organization == "" {
		return configErr(helpCrunchName, "Organization", "is empty")
	}
	if !isDNSLabel(h.Organization) {
		return configErr(helpCrunchName, "Organization", "is not a DNS label (letters, digits, hyphens)")
	}
	if h.AppID == "" {
		return configErr(helpCrunchName, "AppID", "is empty")
	}
	if err := checkKey(helpCrunchName, "Secret", h.Secret); err != nil {
		return err
	}
	if h.RawUserID && h.HashUserID {
		return configErr(helpCrunchName, "RawUserID", "is set together with HashUserID; set only RawUserID to send raw ids")
	}
	if h.WidgetURL != "" {
		if err := checkScriptURL(helpCrunchName, "WidgetURL", h.WidgetURL); err != nil {
			return err
		}
	}
	h.macs.prepare(h.Secret)
	return nil
}

// Identify returns the loader, init with the visitor's user object, and
// showChatWidget unless HideWidget.
func (h *HelpCrunch) Identify(ctx context.Context, r Request, v Visitor) ([]byte, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	user, err := h.user(v)
	if err != nil {
		return nil, err
	}
	return h.script(Object{{"appId", h.AppID}, {"user", user}})
}

// Anonymous returns the loader, init without a user, and showChatWidget
// unless HideWidget.
func (h *HelpCrunch) Anonymous(ctx context.Context, r Request) ([]byte, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	return h.script(Object{{"appId", h.AppID}})
}

// Reset calls HelpCrunch('logout') after sign-out. It defines HelpCrunch's
// command queue if the page has none yet, so the call waits for the widget
// however the page loads it. HelpCrunch's JavaScript API lists a log-out
// method, but the exact command name used here is unconfirmed by its docs.
func (h *HelpCrunch) Reset(ctx context.Context, r Request) ([]byte, error) {
	s := &script{}
	s.code(helpCrunchQueue).code(`HelpCrunch("logout");` + "\n")
	return s.bytes()
}

// helpCrunchQueue defines HelpCrunch's command queue, as HelpCrunch's own
// snippet does, unless the widget or a queue is already there: the widget
// runs the queued commands when it loads.
const helpCrunchQueue jsCode = `(function(w){if(!w.HelpCrunch){w.HelpCrunch=function(){w.HelpCrunch.q.push(arguments)};w.HelpCrunch.q=[]}})(window);` + "\n"

func (h *HelpCrunch) script(settings Object) ([]byte, error) {
	src := h.WidgetURL
	if src == "" {
		src = "https://" + h.Organization + ".widget.helpcrunch.com/"
	}
	s := &script{}
	s.code(helpCrunchQueue).loadScript(src)
	s.code(`HelpCrunch("init",`).str(h.Organization).code(`,`).value(settings).code(");\n")
	if !h.HideWidget {
		s.code(`HelpCrunch("showChatWidget");` + "\n")
	}
	return s.bytes()
}

// user returns init's user object for v.
func (h *HelpCrunch) user(v Visitor) (Object, error) {
	if v.ID == "" {
		return nil, ErrNoVisitorID
	}
	userID := h.hashedUserID(v.ID)
	if h.RawUserID {
		userID = toValidUTF8(v.ID)
	}
	user := Object{{"user_id", userID}}
	for _, f := range []Field{{"name", v.Name}, {"email", v.Email}, {"phone", v.Phone}, {"company", v.Company}} {
		if f.Value != "" {
			user = append(user, f)
		}
	}
	// Signed in the form the browser sends, so that the hash HelpCrunch
	// checks matches even if the id held invalid UTF-8.
	user = append(user, Field{"security_hash", h.macs.hex(h.Secret, userID)})
	if len(v.Attributes) > 0 {
		user = append(user, Field{"custom_data", v.Attributes})
	}
	return user, nil
}

// hashedUserID is the default user_id: HMAC-SHA256(Secret, id), lowercase
// hex. It cannot be guessed without Secret, so no one can claim a user's
// user_id at HelpCrunch before that user first chats (see RawUserID).
func (h *HelpCrunch) hashedUserID(id string) string {
	return h.macs.hex(h.Secret, id)
}
