package site

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatident/chatident/vendors"
)

// The eight widgets added after the four seed vendors: their demo accounts
// (not secrets: real sites put them in their pages), their configuration,
// and their stand-in vendor servers.
const (
	demoIntercomAppID     = "chatidentdemo"
	demoCrispWebsiteID    = "00000000-0000-4000-8000-00000000c215"
	demoTawkProperty      = "chatidentdemo"
	demoChatwootBase      = "https://chatwoot.standin.invalid"
	demoChatwootToken     = "chatidentdemo"
	demoHelpScoutBeaconID = "00000000-0000-4000-8000-0000000be4c0"
	demoFrontChatID       = "chatidentdemo"
	demoDriftEmbedID      = "chatidentdemo"
	demoHubSpotPortal     = "123456"
	// demoHubSpotAPI is where the HubSpot vendor sends token requests. The
	// .invalid name never resolves: the demo's client answers from the
	// stand-in of HubSpot's API in this process (hubSpotAPI), so the demo
	// stays offline.
	demoHubSpotAPI = "https://hubspot-api.standin.invalid"
)

// widgetNames are the stand-ins of the eight widgets, by vendor name.
var widgetNames = []string{"intercom", "crisp", "tawkto", "chatwoot", "helpscout", "front", "drift", "hubspot"}

// demoWidgets configures the eight widgets, each in its recommended mode
// (Intercom JWT) with its script pointed at the local stand-in. Each secret
// is the vendor's key as given; Crisp's token id key is derived (see
// Secrets.CrispTokenIDKey).
func demoWidgets(s Secrets, api *hubSpotAPI) []vendors.Vendor {
	return []vendors.Vendor{
		&vendors.Intercom{AppID: demoIntercomAppID, Secret: s.IntercomSecret, ScriptURL: standinPrefix + "intercom.js"},
		&vendors.Crisp{WebsiteID: demoCrispWebsiteID, VerifySecret: s.CrispSecret, TokenIDKey: s.CrispTokenIDKey(),
			ScriptURL: standinPrefix + "crisp.js"},
		&vendors.TawkTo{PropertyID: demoTawkProperty, APIKey: s.TawkSecret, ScriptURL: standinPrefix + "tawkto.js"},
		&vendors.Chatwoot{BaseURL: demoChatwootBase, WebsiteToken: demoChatwootToken, HMACToken: s.ChatwootSecret,
			ScriptURL: standinPrefix + "chatwoot.js"},
		&vendors.HelpScout{BeaconID: demoHelpScoutBeaconID, SecureKey: s.HelpScoutSecret, ScriptURL: standinPrefix + "helpscout.js"},
		&vendors.Front{ChatID: demoFrontChatID, VerificationSecret: s.FrontSecret, ScriptURL: standinPrefix + "front.js"},
		&vendors.Drift{EmbedID: demoDriftEmbedID, SigningKey: s.DriftSecret, ScriptURL: standinPrefix + "drift.js"},
		&vendors.HubSpot{PortalID: demoHubSpotPortal, Token: s.HubSpotToken, APIBase: demoHubSpotAPI,
			Client: api.client(), ScriptURL: standinPrefix + "hubspot.js"},
	}
}

// registerHubSpotFailures exports the HubSpot vendor's failure counts as
// chatident_hubspot_token_failures_total{reason}: pages that got the
// anonymous widget because no token came within the budget.
func registerHubSpotFailures(reg prometheus.Registerer, widgets []vendors.Vendor) {
	for _, w := range widgets {
		h, ok := w.(*vendors.HubSpot)
		if !ok {
			continue
		}
		for _, reason := range vendors.HubSpotReasons() {
			reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name:        "chatident_hubspot_token_failures_total",
				Help:        "Pages that got HubSpot's anonymous widget because no visitor token came, by reason.",
				ConstLabels: prometheus.Labels{"reason": reason},
			}, func() float64 { return float64(h.Failures()[reason]) }))
		}
	}
}

// widgetVerifiers are the stand-in vendor servers of the eight widgets,
// POST /standin/<vendor>/verify. Like the seed vendors' they check with
// crypto/hmac and jwt directly, not with package vendors.
func widgetVerifiers(s Secrets, api *hubSpotAPI, now func() time.Time) map[string]http.Handler {
	return map[string]http.Handler{
		"intercom":  verifyIntercom(s.IntercomSecret, now),
		"crisp":     verifyHMACField(s.CrispSecret, "email", "signature"),
		"tawkto":    verifyIDElseEmail(s.TawkSecret, "hash"),
		"chatwoot":  verifyHMACField(s.ChatwootSecret, "identifier", "identifier_hash"),
		"helpscout": verifyHMACField(s.HelpScoutSecret, "email", "signature"),
		"front":     verifyIDElseEmail(s.FrontSecret, "userHash"),
		"drift":     verifyDrift(s.DriftSecret, now),
		"hubspot":   api.verify(),
	}
}

// hmacMatches reports whether sig is HMAC-SHA256(key, msg) in lowercase hex,
// the only form every one of these vendors accepts.
func hmacMatches(key []byte, msg, sig string) (bool, string) {
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size || sig != strings.ToLower(sig) {
		return false, "the signature is not 64 lowercase hex digits"
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	if !hmac.Equal(got, m.Sum(nil)) {
		return false, "the signature does not match"
	}
	return true, ""
}

// verifyHMACField checks body[sigField] = HMAC-SHA256(key, body[msgField]):
// Crisp (email, signature), Chatwoot (identifier, identifier_hash), Help
// Scout (email, signature).
func verifyHMACField(key []byte, msgField, sigField string) http.Handler {
	return verifyHandler(func(r *http.Request) (verdict, error) {
		var body map[string]string
		if err := decodeJSON(r, &body); err != nil {
			return verdict{}, err
		}
		if body[msgField] == "" {
			return verdict{Problem: msgField + " is missing"}, nil
		}
		if ok, problem := hmacMatches(key, body[msgField], body[sigField]); !ok {
			return verdict{Problem: sigField + ": " + problem}, nil
		}
		return verdict{Verified: true}, nil
	})
}

// verifyIDElseEmail checks body[sigField] = HMAC-SHA256(key, userId when
// one is sent, else email): tawk.to (hash: login signs the userId, the
// visitor object the e-mail) and Front (userHash).
func verifyIDElseEmail(key []byte, sigField string) http.Handler {
	return verifyHandler(func(r *http.Request) (verdict, error) {
		var body map[string]string
		if err := decodeJSON(r, &body); err != nil {
			return verdict{}, err
		}
		msg := body["email"]
		if body["userId"] != "" {
			msg = body["userId"]
		}
		if msg == "" {
			return verdict{Problem: "userId or email is missing"}, nil
		}
		if ok, problem := hmacMatches(key, msg, body[sigField]); !ok {
			return verdict{Problem: sigField + ": " + problem}, nil
		}
		return verdict{Verified: true}, nil
	})
}

// verifyIntercom checks intercom_user_jwt (HS256 with the secret, a
// user_id claim, exp not passed) or, without a JWT, user_hash over user_id
// (else email).
func verifyIntercom(key []byte, now func() time.Time) http.Handler {
	return verifyHandler(func(r *http.Request) (verdict, error) {
		var b struct {
			JWT      string `json:"intercom_user_jwt"`
			UserID   string `json:"user_id"`
			Email    string `json:"email"`
			UserHash string `json:"user_hash"`
		}
		if err := decodeJSON(r, &b); err != nil {
			return verdict{}, err
		}
		if b.JWT == "" {
			msg := b.Email
			if b.UserID != "" {
				msg = b.UserID
			}
			if ok, problem := hmacMatches(key, msg, b.UserHash); !ok {
				return verdict{Problem: "user_hash: " + problem}, nil
			}
			return verdict{Verified: true}, nil
		}
		claims := jwt.MapClaims{}
		if _, err := jwt.ParseWithClaims(b.JWT, claims, func(*jwt.Token) (any, error) { return key, nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithTimeFunc(now)); err != nil {
			return verdict{Problem: "intercom_user_jwt rejected: " + err.Error()}, nil
		}
		if id, _ := claims["user_id"].(string); id == "" {
			return verdict{Problem: "claim user_id is missing"}, nil
		}
		return verdict{Verified: true, Claims: claims}, nil
	})
}

// verifyDrift checks the signed identity: HS256 with the signing key, sub
// equal to the user id identify was called with, exp not passed.
func verifyDrift(key []byte, now func() time.Time) http.Handler {
	return verifyHandler(func(r *http.Request) (verdict, error) {
		var b struct {
			UserID string `json:"user_id"`
			JWT    string `json:"userJwt"`
		}
		if err := decodeJSON(r, &b); err != nil {
			return verdict{}, err
		}
		claims := jwt.MapClaims{}
		if _, err := jwt.ParseWithClaims(b.JWT, claims, func(*jwt.Token) (any, error) { return key, nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithTimeFunc(now)); err != nil {
			return verdict{Problem: "userJwt rejected: " + err.Error()}, nil
		}
		if sub, _ := claims.GetSubject(); sub == "" || sub != b.UserID {
			return verdict{Problem: "sub is not the user id identify was called with"}, nil
		}
		return verdict{Verified: true, Claims: claims}, nil
	})
}

// hubSpotAPI is the demo's stand-in of HubSpot's visitor identification
// API: it issues a fresh random token per call to a request bearing the
// private app token, remembers which e-mail it was issued for (12 hours, as
// HubSpot's), and answers the stand-in widget's question whether a token
// belongs to an e-mail.
type hubSpotAPI struct {
	token []byte
	now   func() time.Time

	mu     sync.Mutex
	issued map[string]hubSpotIssued
}

type hubSpotIssued struct {
	email   string
	expires time.Time
}

// hubSpotAPIMaxTokens bounds the tokens the stand-in remembers.
const hubSpotAPIMaxTokens = 10000

func newHubSpotAPI(token []byte, now func() time.Time) *hubSpotAPI {
	return &hubSpotAPI{token: token, now: now, issued: map[string]hubSpotIssued{}}
}

// client returns an *http.Client whose every request this stand-in answers
// in-process: nothing leaves the machine.
func (a *hubSpotAPI) client() *http.Client {
	return &http.Client{Transport: inProcess{a}}
}

// inProcess is an http.RoundTripper that serves requests with a handler.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// ServeHTTP answers POST /visitor-identification/v3/tokens/create.
func (a *hubSpotAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost || r.URL.Path != "/visitor-identification/v3/tokens/create" {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"status":"error","category":"OBJECT_NOT_FOUND"}`))
		return
	}
	if !hmac.Equal([]byte(r.Header.Get("Authorization")), append([]byte("Bearer "), a.token...)) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"status":"error","category":"INVALID_AUTHENTICATION"}`))
		return
	}
	var body struct {
		Email string `json:"email"`
	}
	if err := decodeJSON(r, &body); err != nil || body.Email == "" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"status":"error","category":"VALIDATION_ERROR"}`))
		return
	}
	var raw [24]byte
	_, _ = rand.Read(raw[:])
	tok := base64.RawURLEncoding.EncodeToString(raw[:])
	now := a.now()
	a.mu.Lock()
	if len(a.issued) >= hubSpotAPIMaxTokens {
		for k, v := range a.issued {
			if !now.Before(v.expires) {
				delete(a.issued, k)
			}
		}
	}
	full := len(a.issued) >= hubSpotAPIMaxTokens
	if !full {
		a.issued[tok] = hubSpotIssued{email: body.Email, expires: now.Add(12 * time.Hour)}
	}
	a.mu.Unlock()
	if full {
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"status":"error","category":"RATE_LIMITS"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"token": tok})
}

// verify answers the stand-in widget: does token belong to email and is it
// still valid?
func (a *hubSpotAPI) verify() http.Handler {
	return verifyHandler(func(r *http.Request) (verdict, error) {
		var b struct{ Email, Token string }
		if err := decodeJSON(r, &b); err != nil {
			return verdict{}, err
		}
		a.mu.Lock()
		got, ok := a.issued[b.Token]
		a.mu.Unlock()
		switch {
		case !ok:
			return verdict{Problem: "the token was not issued by HubSpot"}, nil
		case got.email != b.Email:
			return verdict{Problem: "the token was issued for another e-mail"}, nil
		case !a.now().Before(got.expires):
			return verdict{Problem: "the token has expired"}, nil
		}
		return verdict{Verified: true}, nil
	})
}
