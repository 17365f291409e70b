package vendors

import (
	"context"
	"errors"
)

// HelpScout identifies signed-in visitors to a Help Scout Beacon in Secure
// Mode:
//
//	Beacon("init", "<BeaconID>");
//	Beacon("identify", {"name": "…", "email": "…", "company": "…",
//	    "avatar": "…", "signature": "<64 hex>"});
//
// through Beacon's command queue (defined as Help Scout's snippet does), and
// loads https://beacon-v2.helpscout.net unless the page already has it.
//
// # Identity
//
// signature is HMAC-SHA256(SecureKey, email) in lowercase hex, over the
// e-mail exactly as sent (some Help Scout samples print base64 or
// dashed upper-case hex: Beacon rejects those, and they are never
// produced). Secure Mode verifies only the e-mail, so a visitor without an
// e-mail gets the anonymous Beacon. Name, company and avatar are not signed.
//
// Reset after sign-out calls Beacon("logout") then Beacon("reset"). An
// in-place identity change calls Beacon("logout") then Beacon("identify",
// …) with the new identity. Unconfirmed: Help Scout's web documentation does
// not describe logout's effect in Secure Mode (its option endActiveChat
// appears only in third-party code and is not used).
//
// # Secrets
//
// SecureKey is the Beacon's secret key (Beacon → Settings → Secure Mode),
// used as its bytes as Help Scout shows it. It never reaches the browser.
//
// # Content Security Policy
//
// Help Scout does not document the hosts Beacon needs.
//
// Build the value once and do not change its fields after passing it to
// middleware.New: requests read it concurrently.
type HelpScout struct {
	// BeaconID is the Beacon's id, a UUID, required.
	BeaconID string
	// SecureKey signs e-mails (required, at least 16 bytes).
	SecureKey []byte
	// ScriptURL is the widget's script, https://beacon-v2.helpscout.net
	// by default: set it only to serve the widget from elsewhere (a local
	// stand-in, a proxy). An absolute http(s) URL or a path on the site.
	ScriptURL string

	macs hmacStates // reused states under SecureKey
}

const helpScoutName = "helpscout"

// Name returns "helpscout".
func (hs *HelpScout) Name() string { return helpScoutName }

// Validate reports every configuration mistake, each a *ConfigError,
// joined with errors.Join.
func (hs *HelpScout) Validate() error {
	var errs []error
	if hs.BeaconID == "" {
		errs = append(errs, configErr(helpScoutName, "BeaconID", "is empty"))
	} else if !isUUID(hs.BeaconID) {
		errs = append(errs, configErr(helpScoutName, "BeaconID", "is not a UUID"))
	}
	errs = append(errs, checkKey(helpScoutName, "SecureKey", hs.SecureKey))
	if hs.ScriptURL != "" {
		errs = append(errs, checkScriptURL(helpScoutName, "ScriptURL", hs.ScriptURL))
	}
	return errors.Join(errs...)
}

// Prepare checks the configuration, prepares the keyed state and returns
// Beacon's constant code:
//
//   - Identify initialises Beacon once, queues Beacon('identify', d) when d
//     has an e-mail (else the Beacon stays anonymous) and loads Beacon;
//   - Anonymous initialises and loads Beacon;
//   - Reset queues Beacon('logout') then Beacon('reset');
//   - Update queues Beacon('logout') then the new identify.
func (hs *HelpScout) Prepare(s Setup) (Script, error) {
	if err := hs.Validate(); err != nil {
		return Script{}, err
	}
	hs.macs.prepare(s.MemoSize, hs.SecureKey)
	c := hs.config()
	return Script{
		Identify:  widgetBody(c, helpScoutStart, `var B=start();if(d&&d.email){B("identify",d)}`),
		Anonymous: widgetBody(c, helpScoutStart, `start();`),
		Reset:     widgetBody(c, helpScoutStart, `var B=start();B("logout");B("reset");`),
		Update:    widgetBody(c, helpScoutStart, `var B=start();B("logout");if(d&&d.email){B("identify",d)}`),
	}, nil
}

// Identify writes identify's object (name, email, company, avatar,
// signature), or nothing for a visitor without an e-mail, whose Beacon
// stays anonymous.
func (hs *HelpScout) Identify(ctx context.Context, r Request, v Visitor, d *Data) error {
	if !hs.macs.ready() {
		return errNotPrepared
	}
	return hs.write(d, v)
}

func (hs *HelpScout) config() Object {
	return Object{{"beacon_id", hs.BeaconID}, {"src", hs.scriptURL()}}
}

// write writes identify's object, or nothing for a visitor without an
// e-mail, who gets the anonymous Beacon.
func (hs *HelpScout) write(s dataSink, v Visitor) error {
	if v.ID == "" {
		return ErrNoVisitorID
	}
	if v.Email == "" {
		return nil
	}
	if v.Name != "" {
		s.String("name", toValidUTF8(v.Name))
	}
	email := toValidUTF8(v.Email)
	s.String("email", email)
	if v.Company != "" {
		s.String("company", toValidUTF8(v.Company))
	}
	if v.AvatarURL != "" {
		s.String("avatar", toValidUTF8(v.AvatarURL))
	}
	s.String("signature", helpScoutSignature(&hs.macs, hs.SecureKey, email))
	return nil
}

// helpScoutSignature is Secure Mode's signature: HMAC-SHA256(key, email) in
// lowercase hex (not base64, not dashed upper-case hex).
func helpScoutSignature(m *hmacStates, key []byte, email string) string {
	return m.hex(key, email)
}

// Beacon's code, through its readyQueue, which Beacon runs in order when it
// loads. start initialises Beacon once: not when the queue (or a loaded
// Beacon, which has none) shows it was initialised.
const helpScoutStart jsCode = jsLoadDecl +
	`function q(){if(typeof w.Beacon!=="function"){var b=function(m,o,x){b.readyQueue.push({method:m,options:o,data:x})};b.readyQueue=[];w.Beacon=b}return w.Beacon}` +
	`function inited(B){var r=B.readyQueue;if(!r){return true}for(var i=0;i<r.length;i++){if(r[i]&&r[i].method==="init"){return true}}return false}` +
	`function start(){var B=q();if(!inited(B)){B("init",c.beacon_id)}L(w.document,c.src);return B}`

// scriptURL returns ScriptURL or the vendor's own.
func (hs *HelpScout) scriptURL() string {
	if hs.ScriptURL != "" {
		return hs.ScriptURL
	}
	return "https://beacon-v2.helpscout.net"
}

// Keys returns SecureKey, for middleware.New's check that no key serves
// two purposes.
func (hs *HelpScout) Keys() []Key {
	return []Key{{"SecureKey", hs.SecureKey}}
}
