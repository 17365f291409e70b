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
// claim another user_id from their browser. With HashUserID the user_id sent
// is itself HMAC-SHA256(Secret, ID) in hex, so HelpCrunch never sees the
// site's ids.
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
// empty chat. So never rotate Secret and never switch HashUserID on an
// existing install: either change makes every known user's chat fail.
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
	// HashUserID sends HMAC-SHA256(Secret, ID) in hex as user_id instead of
	// the raw id. Choose once: switching it changes every user_id.
	HashUserID bool
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
	userID := toValidUTF8(v.ID)
	if h.HashUserID {
		userID = h.macs.hex(h.Secret, v.ID)
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
