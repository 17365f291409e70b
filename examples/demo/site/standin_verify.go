package site

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The stand-ins' "vendor backends". Each plays the part of a vendor's server,
// which holds the site's key and checks what the widget sends it. They are
// written here with crypto/hmac and jwt/v5 directly, not with package
// vendors, so that the demo checks chatident's output independently.

// maxVerifyBody caps a verify request: the largest honest one, a Webim object
// with every field filled, is a few kilobytes.
const maxVerifyBody = 64 << 10

// zendeskMaxLifetime is the longest exp-iat Zendesk accepts.
const zendeskMaxLifetime = 7 * time.Minute

// zendeskLeeway is the clock skew Zendesk allows.
const zendeskLeeway = 2 * time.Minute

// verdict is every verify endpoint's answer.
type verdict struct {
	Verified bool `json:"verified"`
	// Problem says why Verified is false, in words for the panel.
	Problem string `json:"problem,omitempty"`
	// Claims are the verified Zendesk JWT's claims.
	Claims jwt.MapClaims `json:"claims,omitempty"`
}

// webimVisitor is window.webim_visitor as the Webim widget sends it.
type webimVisitor struct {
	Fields  map[string]string `json:"fields"`
	Expires *json.Number      `json:"expires"`
	Hash    string            `json:"hash"`
}

// verifyWebim checks a webim_visitor object the way Webim's server does: the
// field values sorted by field name, concatenated, then the decimal expires,
// HMAC-SHA256 with the private key, and expires not yet passed.
func verifyWebim(key []byte, now func() time.Time) http.Handler {
	return verifyHandler(func(r *http.Request) (verdict, error) {
		var v webimVisitor
		if err := decodeJSON(r, &v); err != nil {
			return verdict{}, err
		}
		if v.Fields["id"] == "" {
			return verdict{Problem: "fields.id is missing"}, nil
		}
		names := make([]string, 0, len(v.Fields))
		for name := range v.Fields {
			names = append(names, name)
		}
		sort.Strings(names)
		var signed strings.Builder
		for _, name := range names {
			signed.WriteString(v.Fields[name])
		}
		if v.Expires != nil {
			exp, err := v.Expires.Int64()
			if err != nil {
				return verdict{Problem: "expires is not an integer"}, nil
			}
			signed.WriteString(v.Expires.String())
			if now().Unix() >= exp {
				return verdict{Problem: "expired"}, nil
			}
		}
		got, err := hex.DecodeString(v.Hash)
		if err != nil || v.Hash != strings.ToLower(v.Hash) {
			return verdict{Problem: "hash is not lowercase hex"}, nil
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte(signed.String()))
		if !hmac.Equal(got, m.Sum(nil)) {
			return verdict{Problem: "hash does not match"}, nil
		}
		return verdict{Verified: true}, nil
	})
}

// helpCrunchUser is the part of HelpCrunch's init user object its server
// checks.
type helpCrunchUser struct {
	UserID       string `json:"user_id"`
	SecurityHash string `json:"security_hash"`
}

// verifyHelpCrunch checks security_hash = HMAC-SHA256(secret, user_id),
// lowercase hex.
func verifyHelpCrunch(secret []byte) http.Handler {
	return verifyHandler(func(r *http.Request) (verdict, error) {
		var u helpCrunchUser
		if err := decodeJSON(r, &u); err != nil {
			return verdict{}, err
		}
		if u.UserID == "" {
			return verdict{Problem: "user_id is missing"}, nil
		}
		got, err := hex.DecodeString(u.SecurityHash)
		if err != nil || u.SecurityHash != strings.ToLower(u.SecurityHash) {
			return verdict{Problem: "security_hash is not lowercase hex"}, nil
		}
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(u.UserID))
		if !hmac.Equal(got, m.Sum(nil)) {
			return verdict{Problem: "security_hash does not match"}, nil
		}
		return verdict{Verified: true}, nil
	})
}

// zendeskToken is what the Zendesk stand-in sends: the JWT its jwt_fn got.
type zendeskToken struct {
	Token string `json:"token"`
}

// verifyZendesk checks a visitor JWT the way Zendesk Chat does: HS256 with
// the shared secret, iat and exp present and current within Zendesk's clock
// skew, a lifetime of at most 7 minutes, and name, email, external_id and jti
// claims.
func verifyZendesk(secret []byte, now func() time.Time) http.Handler {
	return verifyHandler(func(r *http.Request) (verdict, error) {
		var t zendeskToken
		if err := decodeJSON(r, &t); err != nil {
			return verdict{}, err
		}
		claims := jwt.MapClaims{}
		_, err := jwt.ParseWithClaims(t.Token, claims, func(*jwt.Token) (any, error) { return secret, nil },
			jwt.WithValidMethods([]string{"HS256"}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(zendeskLeeway),
			jwt.WithTimeFunc(now),
		)
		if err != nil {
			return verdict{Problem: "token rejected: " + err.Error()}, nil
		}
		iat, errI := claims.GetIssuedAt()
		exp, errE := claims.GetExpirationTime()
		if errI != nil || errE != nil || iat == nil || exp == nil {
			return verdict{Problem: "iat or exp is missing"}, nil
		}
		if exp.Sub(iat.Time) > zendeskMaxLifetime {
			return verdict{Problem: "exp is more than 7 minutes after iat"}, nil
		}
		for _, name := range []string{"name", "email", "external_id", "jti"} {
			if s, ok := claims[name].(string); !ok || s == "" {
				return verdict{Problem: "claim " + name + " is missing"}, nil
			}
		}
		return verdict{Verified: true, Claims: claims}, nil
	})
}

// errBadRequest marks a request the endpoint cannot read at all.
var errBadRequest = errors.New("bad request")

// verifyHandler answers 200 with the verdict, or 400 with a JSON error when
// the request is malformed.
func verifyHandler(check func(*http.Request) (verdict, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		v, err := check(r)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		_ = json.NewEncoder(w).Encode(v)
	})
}

// decodeJSON reads one JSON object of at most maxVerifyBody bytes into dst.
func decodeJSON(r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("%w: Content-Type must be application/json", errBadRequest)
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxVerifyBody))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("%w: %w", errBadRequest, err)
	}
	return nil
}
