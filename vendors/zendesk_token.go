package vendors

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/golang-jwt/jwt/v5"
)

// ZendeskEmailVerifiedAttribute is the Visitor attribute that, when "true",
// makes a Messaging token claim email_verified: true. Zendesk then trusts the
// e-mail to merge the visitor with an existing user of that address, so set
// it only for addresses the site has verified itself. Without it the claim
// is false.
const ZendeskEmailVerifiedAttribute = "email_verified"

// Token returns a JWT identifying v to Zendesk, signed HS256 with Secret and
// valid from r.Now for TokenTTL. Each token has a fresh random jti (Chat
// flavours), so none can be replayed as another.
//
// The token endpoint serves it; call Token directly only to hand tokens to
// a client the endpoint cannot reach, such as a mobile app.
func (z *Zendesk) Token(r Request, v Visitor) (string, error) {
	if err := z.Validate(); err != nil {
		return "", err
	}
	return z.token(r, v)
}

// token is Token for a configuration already checked (by Prepare). The
// one check left guards a vendor used without Prepare: never sign with a
// missing key.
func (z *Zendesk) token(r Request, v Visitor) (string, error) {
	if len(z.Secret) < MinSecretLen {
		return "", configErr(zendeskName, "Secret", "is shorter than 16 bytes")
	}
	if v.ID == "" {
		return "", ErrNoVisitorID
	}
	ttl := z.TokenTTL
	if ttl == 0 {
		ttl = zendeskDefaultTTL
	}
	iat := now(r)
	exp := iat.Add(ttl).Unix()
	name := v.Name
	if name == "" {
		name = v.Email
	}
	claims := jwt.MapClaims{"external_id": toValidUTF8(v.ID), "exp": exp}
	if name != "" {
		claims["name"] = toValidUTF8(name)
	}
	if v.Email != "" {
		claims["email"] = toValidUTF8(v.Email)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	if z.Flavor == ZendeskMessaging {
		claims["scope"] = "user"
		if v.Email != "" {
			claims["email_verified"] = v.Attributes[ZendeskEmailVerifiedAttribute] == "true"
		}
		t.Header["kid"] = z.KeyID
	} else {
		var nonce [16]byte
		_, _ = rand.Read(nonce[:]) // never fails: crypto/rand aborts the program instead
		claims["iat"] = iat.Unix()
		claims["jti"] = hex.EncodeToString(nonce[:])
	}
	signed, err := t.SignedString(z.Secret)
	if err != nil {
		return "", fmt.Errorf("zendesk: signing token: %w", err)
	}
	return signed, nil
}

// Endpoints returns the token endpoint, "token".
//
// It answers GET with 200 {"token":"<jwt>"}, Content-Type application/json
// and Cache-Control: no-store. An anonymous request gets 401 and a JSON
// error; another method 405 with Allow: GET; a request the browser marks
// Sec-Fetch-Site: cross-site gets 403 unless its Origin is in AllowedOrigins,
// which then gets Access-Control-Allow-Origin: <that origin>,
// Access-Control-Allow-Credentials: true and Vary: Origin.
func (z *Zendesk) Endpoints() []Endpoint {
	return []Endpoint{{Path: "token", Serve: z.serveToken}}
}

func (z *Zendesk) serveToken(w http.ResponseWriter, r Request, v *Visitor) EndpointResult {
	if res, ok := gate(w, r.HTTP, z.AllowedOrigins); !ok {
		return res
	}
	if v == nil {
		return refuse(w, http.StatusUnauthorized, ReasonAnonymous)
	}
	tok, err := z.token(r, *v)
	if err != nil {
		return refuse(w, http.StatusInternalServerError, ReasonError)
	}
	body := append(append([]byte(`{"token":`), JSString(tok)...), '}')
	writeJSON(w, http.StatusOK, body)
	return EndpointResult{Issued: true}
}
