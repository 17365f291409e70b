package vendors

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Webim identifies signed-in visitors to the Webim online consultant by
// defining window.webim_visitor, a signed object, before Webim's button.js
// runs:
//
//	window.webim_visitor = {"fields":{"display_name":"…","email":"…","id":"…"},"expires":1481195621,"hash":"…"};
//
// # Identity
//
// fields carries the Visitor: id (always), display_name ← Name, email ←
// Email, phone ← Phone, login ← Login, avatar_url ← AvatarURL, profile_url ←
// ProfileURL, and comment and info from the Comment and Info functions.
// Empty values are left out. hash signs the values sorted by field name and
// concatenated, then the decimal expires, with the account's private key
// (HMAC-SHA256 by default; see WebimHash and WebimCharset).
//
// By default id is not the site's user id but an opaque one: "u" and
// HMAC-SHA256 of it under IDKey in hex (65 characters). login is Login, or
// the site's user id when the application sets no Login, so that operators
// still see who it is, between "[[" and "]]" (any '[' or ']' in it becomes
// '(' or ')'). See the security notes for why, and RawID for the plain form.
//
// # Secrets
//
// PrivateKey is the account's private key (Webim: Settings → Private keys)
// and IDKey the site's own key for opaque ids. Neither reaches the browser.
// IDKey must not change while the integration lives: a new key gives every
// visitor a new id, and Webim then shows them as new visitors without their
// history.
//
// # Security notes
//
// Webim's signed string has no separators, so whoever holds a signed object
// can re-cut its string: move characters between adjacent values, drop or
// add fields, move digits of the last value into expires, and the hash
// still matches. {id:"12345"} and {email:"1", id:"2345"} sign the same
// string. Unless RawID is set, chatident shapes what it sends so that no
// re-cut of an object it signed has another visitor's id, another login of
// chatident's form, or a later expires:
//
//   - id has a fixed length and starts with "u", which is not a hex digit:
//     no window of the signed string that overlaps the id has the id form,
//     so another id could only come from a value that holds one whole;
//   - login is wrapped in "[[" and "]]" and holds no bracket itself, so the
//     only substring of login form is the login;
//   - the value before expires never ends in a digit: a profile URL ending
//     in a digit gets "#" (the same page), and when there is none and the
//     last value would end in a digit (a phone number), profile_url is
//     "about:blank";
//   - and a visitor whose values still hold another substring of the id or
//     login form (someone else's id in their name, "[[x]]" in a field) is
//     declined: Identify serves the anonymous script (the loader, so the
//     widget stays, without an identity), reports NoteAmbiguous through
//     Request.Notes, and the refresh endpoint answers 401 "declined".
//
// The tests prove this with an exhaustive search of every re-cut over the
// documented fields, on hostile values and in a fuzz target.
//
// One re-cut no sender can prevent: Webim makes expires optional, so the
// holder of an object can move its digits into a last field (a profile_url
// they add) and drop expires, and the object then never expires. expires
// therefore bounds an object's life only against people who cannot edit it,
// not against its holder; treat a leaked object as valid for that visitor
// until PrivateKey is changed. The refresh keeps TTL short for everyone
// else. Values other than id and login (name, e-mail, phone, comment, info)
// remain the visitor's to rearrange in their own object, as they are in
// their profile.
//
// # Refresh
//
// Unless DisableRefresh is set, the page also gets a small timer that
// fetches a fresh object from the refresh endpoint shortly before expires,
// swaps window.webim_visitor and calls webim.api.onProvidedVisitorChanged()
// when Webim's API is present (see Endpoints).
//
// Build the value once and do not change its fields after passing it to
// middleware.New: requests read it concurrently. Copying it is harmless.
type Webim struct {
	// PrivateKey is the account's private key (required, at least 16 bytes).
	// A key shown as text is used as its UTF-8 bytes.
	PrivateKey []byte

	// Hash is the account's checksum algorithm; HMAC-SHA256 by default.
	Hash WebimHash

	// Charset is the text encoding the account checksums in; UTF-8 by
	// default. With cp1251 or koi8-r, every character of a value that the
	// charset cannot hold (an emoji, a Chinese name, Ukrainian letters in
	// koi8-r) is replaced by '?' both in the value sent and in what is
	// signed, so Webim checks the hash over exactly what it receives and the
	// visitor keeps the widget and their identity; Identify reports
	// NoteCharset through Request.Notes. Declining instead would leave such
	// visitors with no widget, or with an anonymous one that loses their
	// history; the '?' changes only what operators read.
	Charset WebimCharset

	// TTL is how long an object stays valid: expires = now + TTL, in unix
	// seconds. Zero means one hour; otherwise at least a minute. The refresh
	// renews the object a tenth of TTL (at most five minutes) before expiry.
	TTL time.Duration

	// IDKey is the key for opaque ids (required unless RawID, at least 16
	// bytes, never changed once in use).
	IDKey []byte

	// RawID sends the site's user id as id, and Login as login, exactly as
	// Webim documents them, without the opaque id, the login brackets or
	// the guard before expires.
	//
	// Risk: Webim's signature concatenates values without separators, so a
	// visitor who holds the signed object for id "12345" can present it as
	// the object for id "2345" or "1234" by moving characters into or out of
	// a neighbouring field, and the hash still matches; likewise for login,
	// and digits can move into expires. With ids that are short, sequential
	// or guessable that is impersonation of other visitors and access to
	// their chat history. None of the re-cut guarantees in the security
	// notes hold. Set RawID only when ids are long, random and of one fixed
	// length (for example UUIDs), and an installation already identifying
	// visitors by raw id must keep it, or every visitor loses their history.
	RawID bool

	// Comment and Info, when set, return the comment and info fields for a
	// visitor (for example the customer's plan); an empty result is left out.
	// A result that holds "[[" … "]]" or an opaque id declines that visitor
	// (see the security notes).
	// They are functions rather than strings because what an operator needs
	// to see usually depends on the visitor.
	Comment func(Visitor) string
	Info    func(Visitor) string

	// Account is the Webim account name. When Account or LoaderURL is set,
	// the script also defines window.webim = {accountName, domain, location}
	// and loads Webim's button.js after the identity object, so the page
	// needs no Webim snippet of its own (leave both empty if it has one).
	Account string
	// Domain is the Webim host; "<Account>.webim.ru" by default.
	Domain string
	// Location is the Webim location; "default" by default.
	Location string
	// LoaderURL replaces https://<Domain>/js/button.js, for self-hosted or
	// test setups.
	LoaderURL string

	// DisableRefresh turns off the refresh endpoint and the in-page timer;
	// objects then stop being accepted TTL after the page was served.
	DisableRefresh bool

	macs hmacStates // states under PrivateKey and IDKey, made by Prepare
}

// WebimHash is the checksum algorithm a Webim account uses.
type WebimHash int

const (
	// WebimHMACSHA256 is HMAC-SHA256(private key, signed string), hex; the
	// default and Webim's documented scheme.
	WebimHMACSHA256 WebimHash = iota
	// WebimSHA256 is SHA-256(signed string ‖ private key), hex, for accounts
	// set to the plain hash.
	WebimSHA256
	// WebimSHA512 is SHA-512(signed string ‖ private key), hex.
	WebimSHA512
)

// WebimCharset is the text encoding a Webim account computes checksums in.
type WebimCharset int

const (
	// WebimUTF8 is UTF-8, the default.
	WebimUTF8 WebimCharset = iota
	// WebimCP1251 is Windows-1251.
	WebimCP1251
	// WebimKOI8R is KOI8-R.
	WebimKOI8R
)

const (
	webimName       = "webim"
	webimDefaultTTL = time.Hour
)

// Name returns "webim".
func (w *Webim) Name() string { return webimName }

// Validate reports every configuration mistake, each a *ConfigError.
func (w *Webim) Validate() error {
	var errs configErrors
	errs.key(webimName, "PrivateKey", w.PrivateKey)
	if w.Hash < WebimHMACSHA256 || w.Hash > WebimSHA512 {
		errs.add(webimName, "Hash", fmt.Sprintf("is %d, not a WebimHash constant", int(w.Hash)))
	}
	if w.Charset < WebimUTF8 || w.Charset > WebimKOI8R {
		errs.add(webimName, "Charset", fmt.Sprintf("is %d, not a WebimCharset constant", int(w.Charset)))
	}
	if w.TTL < 0 {
		errs.add(webimName, "TTL", "is negative")
	} else if w.TTL != 0 && w.TTL < time.Minute {
		errs.add(webimName, "TTL", "is shorter than a minute")
	}
	if !w.RawID {
		errs.key(webimName, "IDKey", w.IDKey)
	}
	if w.Account != "" && !isDNSLabel(w.Account) {
		errs.add(webimName, "Account", "is not a valid account name (letters, digits, hyphens)")
	}
	if w.Domain != "" && !isHostname(w.Domain) {
		errs.add(webimName, "Domain", "is not a host name")
	}
	if (w.Domain != "" || w.Location != "") && w.Account == "" && w.LoaderURL == "" {
		errs.add(webimName, "Account", "is empty, but Domain or Location is set for the loader")
	}
	if w.LoaderURL != "" {
		errs.scriptURL(webimName, "LoaderURL", w.LoaderURL)
	}
	return errs.join()
}

// Prepare checks the configuration, prepares the keyed states and returns
// Webim's constant code:
//
//   - Identify sets window.webim_visitor to the signed object (d.visitor),
//     then arms the refresh timer and loads button.js when configured;
//   - Anonymous, when a loader is configured, is the same function run with
//     d null: it loads button.js alone;
//   - Reset sets window.webim_visitor = null and calls
//     webim.api.onProvidedVisitorChanged() once Webim's API is present;
//   - Update swaps window.webim_visitor (null when signed out) and calls
//     webim.api.onProvidedVisitorChanged(), Webim's documented call for a
//     changed visitor object. That it also ends the chat of a visitor set to
//     null is unconfirmed by Webim.
func (w *Webim) Prepare(s Setup) (Script, error) {
	if err := w.Validate(); err != nil {
		return Script{}, err
	}
	if !w.DisableRefresh {
		if err := checkEndpoints(webimName, s); err != nil {
			return Script{}, err
		}
	}
	w.macs.prepare(s.MemoSize, w.PrivateKey, w.IDKey)
	var id, anon, reset, update script
	// One function for a visitor and, with a loader, for anonymous pages
	// (d null): the page script keeps it once.
	id.code("if(d){w.webim_visitor=d.visitor;\n")
	if !w.DisableRefresh {
		w.appendRefresher(&id, s.Endpoints+"refresh")
	}
	id.code("}\n")
	w.appendLoader(&id)
	if w.Account != "" || w.LoaderURL != "" {
		anon = id
	}
	reset.code("w.webim_visitor=null;\n")
	reset.beginReady(webimAPI).code(webimChanged).endReady()
	update.code("w.webim_visitor=d?d.visitor:null;\n")
	update.beginReady(webimAPI).code(webimChanged).endReady()
	return Script{Identify: id.text(), Anonymous: anon.text(), Reset: reset.text(), Update: update.text()}, nil
}

// webimAPI is present once Webim's button.js has set up its API.
const (
	webimAPI     jsCode = `w.webim&&w.webim.api&&typeof w.webim.api.onProvidedVisitorChanged==="function"`
	webimChanged jsCode = `w.webim.api.onProvidedVisitorChanged()`
)

func (w *Webim) ttl() time.Duration {
	if w.TTL == 0 {
		return webimDefaultTTL
	}
	return w.TTL
}

// Identify writes the signed visitor object, as d.visitor. Its expires is
// bucketed (see Webim), so that a visitor's pages within one bucket carry
// the same object and its signature is computed once. A visitor whose
// object would be ambiguous (see the security notes) gets the anonymous
// code instead (ErrAnonymous), reported as NoteAmbiguous.
func (w *Webim) Identify(ctx context.Context, r Request, v Visitor, d *Data) error {
	if !w.macs.ready() {
		return errNotPrepared
	}
	d.Object("visitor")
	normalized, err := w.appendVisitor(d, r, v, true)
	if errors.Is(err, ErrWebimAmbiguous) {
		// Declined: the widget stays (the anonymous code loads it),
		// without an identity.
		r.note(webimName, NoteAmbiguous)
		return ErrAnonymous
	}
	if err != nil {
		return err
	}
	if normalized {
		r.note(webimName, NoteCharset)
	}
	d.End()
	return nil
}

// appendLoader writes Webim's own snippet: the account settings, then
// button.js. It writes nothing when neither Account nor LoaderURL is set.
func (w *Webim) appendLoader(s *script) {
	if w.Account == "" && w.LoaderURL == "" {
		return
	}
	domain := w.Domain
	if domain == "" && w.Account != "" {
		domain = w.Account + ".webim.ru"
	}
	location := w.Location
	if location == "" {
		location = "default"
	}
	settings := Object{}
	if w.Account != "" {
		settings = append(settings, Field{"accountName", w.Account})
	}
	if domain != "" {
		settings = append(settings, Field{"domain", domain})
	}
	settings = append(settings, Field{"location", location})
	src := w.LoaderURL
	if src == "" {
		src = "https://" + domain + "/js/button.js"
	}
	s.code("w.webim = ").value(settings).code(";\n").loadScript(src)
}
