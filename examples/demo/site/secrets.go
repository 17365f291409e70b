package site

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// The environment variables the demo reads its secrets from.
const (
	envWebimKey         = "CHATIDENT_WEBIM_KEY"
	envEdnaKey          = "CHATIDENT_EDNA_KEY"
	envHelpCrunchSecret = "CHATIDENT_HELPCRUNCH_SECRET"
	envZendeskSecret    = "CHATIDENT_ZENDESK_SECRET"
	envSessionKey       = "CHATIDENT_SESSION_KEY"

	envIntercomSecret  = "CHATIDENT_INTERCOM_SECRET"
	envCrispSecret     = "CHATIDENT_CRISP_SECRET"
	envTawkSecret      = "CHATIDENT_TAWK_SECRET"
	envChatwootSecret  = "CHATIDENT_CHATWOOT_SECRET"
	envHelpScoutSecret = "CHATIDENT_HELPSCOUT_SECRET"
	envFrontSecret     = "CHATIDENT_FRONT_SECRET"
	envDriftSecret     = "CHATIDENT_DRIFT_SECRET"
	envHubSpotToken    = "CHATIDENT_HUBSPOT_TOKEN"
)

// minSessionKey is the shortest session key accepted: securecookie's HMAC
// key should be at least as long as its SHA-256 output.
const minSessionKey = 32

// The labels of the derived keys. They are part of the demo's documented
// behaviour (see the command's doc.go): a test that knows the environment
// recomputes the derived keys from them, so changing one is a breaking change.
const (
	labelWebimIDKey = "chatident demo webim id key"
	labelSignOutKey = "chatident demo sign-out marker key"
	labelCrispToken = "chatident demo crisp token id key"
)

// Secrets are the keys the demo's server holds. None of them ever reaches a
// browser or a log line.
type Secrets struct {
	WebimKey         []byte // Webim private key: signs webim_visitor
	EdnaKey          []byte // edna id key: turns user ids into clientIds
	HelpCrunchSecret []byte // HelpCrunch secret: signs security_hash
	ZendeskSecret    []byte // Zendesk Chat shared secret: signs the visitor JWT
	SessionKey       []byte // securecookie hash key of the demo's session cookie

	IntercomSecret  []byte // Intercom identity verification secret: signs intercom_user_jwt
	CrispSecret     []byte // Crisp verify secret: signs user:email
	TawkSecret      []byte // tawk.to JavaScript API key: signs the Secure Mode hash
	ChatwootSecret  []byte // Chatwoot inbox hmac_token: signs identifier_hash
	HelpScoutSecret []byte // Help Scout Beacon secure key: signs the e-mail
	FrontSecret     []byte // Front chat verification secret: signs userHash
	DriftSecret     []byte // Drift widget signing key: signs the identity JWT
	HubSpotToken    []byte // HubSpot private app token: asks the (stand-in) API for visitor tokens
}

// WebimIDKey is the key that turns user ids into Webim's opaque visitor ids:
// HMAC-SHA256(WebimKey, "chatident demo webim id key"), the raw 32 bytes.
//
// It is derived rather than read from its own variable so that one secret per
// vendor is enough to run the demo and a test can recompute every id.
func (s Secrets) WebimIDKey() []byte { return derive(s.WebimKey, labelWebimIDKey) }

// SignOutKey signs the middleware's sign-out marker cookie:
// HMAC-SHA256(SessionKey, "chatident demo sign-out marker key"), the raw 32
// bytes. Deriving it from the session key keeps markers valid across restarts
// whenever sessions are.
func (s Secrets) SignOutKey() []byte { return derive(s.SessionKey, labelSignOutKey) }

// CrispTokenIDKey derives CRISP_TOKEN_ID from user ids:
// HMAC-SHA256(CrispSecret, "chatident demo crisp token id key"), the raw 32
// bytes. Crisp's token id is a bearer value the site derives with a key of
// its own, never Crisp's verify secret itself.
func (s Secrets) CrispTokenIDKey() []byte { return derive(s.CrispSecret, labelCrispToken) }

func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// all lists every secret with the variable it comes from, in a fixed order.
func (s *Secrets) all() []struct {
	env string
	key *[]byte
} {
	return []struct {
		env string
		key *[]byte
	}{
		{envWebimKey, &s.WebimKey},
		{envEdnaKey, &s.EdnaKey},
		{envHelpCrunchSecret, &s.HelpCrunchSecret},
		{envZendeskSecret, &s.ZendeskSecret},
		{envSessionKey, &s.SessionKey},
		{envIntercomSecret, &s.IntercomSecret},
		{envCrispSecret, &s.CrispSecret},
		{envTawkSecret, &s.TawkSecret},
		{envChatwootSecret, &s.ChatwootSecret},
		{envHelpScoutSecret, &s.HelpScoutSecret},
		{envFrontSecret, &s.FrontSecret},
		{envDriftSecret, &s.DriftSecret},
		{envHubSpotToken, &s.HubSpotToken},
	}
}

// LoadSecrets reads every secret from getenv. A variable that is unset or
// empty gets a fresh random secret (32 random bytes, hex-encoded, used as the
// 64 bytes of that text) read from random; generated lists the names of those
// variables. A given secret is used as its bytes, unchanged.
func LoadSecrets(getenv func(string) string, random io.Reader) (s Secrets, generated []string, err error) {
	for _, v := range s.all() {
		if given := getenv(v.env); given != "" {
			*v.key = []byte(given)
			continue
		}
		raw := make([]byte, 32)
		if _, err := io.ReadFull(random, raw); err != nil {
			return Secrets{}, nil, fmt.Errorf("generating %s: %w", v.env, err)
		}
		*v.key = []byte(hex.EncodeToString(raw))
		generated = append(generated, v.env)
	}
	if err := s.validate(); err != nil {
		return Secrets{}, nil, err
	}
	return s, generated, nil
}

// validate reports a secret that cannot be used, naming its variable but
// never its value.
func (s Secrets) validate() error {
	for _, v := range s.all() {
		if len(*v.key) == 0 {
			return fmt.Errorf("%s is empty", v.env)
		}
	}
	if len(s.SessionKey) < minSessionKey {
		return fmt.Errorf("%s is %d bytes; it must be at least %d", envSessionKey, len(s.SessionKey), minSessionKey)
	}
	return nil
}

// list returns every secret's bytes, for tests and checks that a response or
// log line carries none of them.
func (s Secrets) list() [][]byte {
	var out [][]byte
	for _, v := range s.all() {
		out = append(out, *v.key)
	}
	return out
}
