package middleware

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/chatident/chatident/vendors"
)

// DefaultJWTCookie is the cookie JWTCookie reads when Name is empty: the one
// Xsolla Login's web integrations store the user's token in.
const DefaultJWTCookie = "token"

// maxJWTBytes bounds the token Lookup will parse. Browsers keep cookies
// under 4 KiB; a larger value is refused before any decoding work.
const maxJWTBytes = 8 << 10

// maxJWTLeeway bounds JWTCookie.Leeway: more would stretch every token's life.
const maxJWTLeeway = 5 * time.Minute

// JWTCookie is a Source that reads a login token from a cookie, as issued by
// Xsolla Login and similar services: a JWT signed with HS256 and a shared
// secret (Secret) or with RS256 and a key pair (PublicKey). Exactly one of
// the two is set, and it pins the algorithm: a token signed any other way,
// including "none" and an HS256 token made with the RSA public key as its
// secret, is refused.
//
// The token must carry exp, which must not have passed; an iat in the future
// or an nbf not yet reached is refused. With MaxLifetime set, iat is
// required too and exp − iat must not exceed it. sub is required and becomes the
// Visitor's ID; email and name, when present as strings, become Email and
// Name. A missing or refused token means an anonymous visitor, never an error
// page.
//
// Times are checked against the system clock, not Config.Now.
//
// Use it as a pointer (&JWTCookie{...}) and do not change its fields after
// New: the parser is built once, on first use.
type JWTCookie struct {
	// Name is the cookie's name; DefaultJWTCookie ("token") when empty.
	Name string
	// Secret verifies HS256 tokens: the project's JWT secret key. RFC 7518
	// requires at least 32 bytes for HS256, and Validate enforces it.
	Secret []byte
	// PublicKey verifies RS256 tokens instead; at least 2048 bits.
	PublicKey *rsa.PublicKey
	// PreviousSecrets (with Secret) or PreviousPublicKeys (with PublicKey)
	// are keys the issuer signed with before, newest first: tokens they
	// signed still verify until they expire, so rotating the issuer's key
	// signs no one out. Each has the same minimum size as the current key.
	// The algorithm cannot change in a rotation.
	PreviousSecrets [][]byte
	// PreviousPublicKeys: see PreviousSecrets.
	PreviousPublicKeys []*rsa.PublicKey
	// Issuer, when set, must equal the token's iss claim.
	Issuer string
	// Audience, when set, must be one of the token's aud values.
	Audience string
	// Leeway allows for clock skew between the issuer and this server when
	// checking exp, nbf and iat; at most 5 minutes.
	Leeway time.Duration
	// MaxLifetime, when positive, bounds the life the issuer gave a token,
	// exp − iat: a token issued for longer, one without iat, and one whose
	// exp comes before its iat are refused. It limits what a stolen token
	// (or an issuer misconfigured to hand out year-long tokens) is worth,
	// whatever its exp says. Leeway does not stretch it: both times come
	// from the issuer's clock. 0 means no bound.
	MaxLifetime time.Duration
	// Visitor, when set, adjusts the visitor made from the verified claims
	// (v has ID, Email and Name filled in as described above) or, returning
	// false, treats the token as having no visitor.
	Visitor func(claims jwt.MapClaims, v vendors.Visitor) (vendors.Visitor, bool)

	once   sync.Once
	alg    string
	keys   any // the key, or a jwt.VerificationKeySet with the previous ones
	parser *jwt.Parser
}

// errBadJWT wraps every reason a token is refused. The reasons are jwt's
// fixed sentinel errors: jwt's own messages can quote the token's header,
// which is the sender's text.
var errBadJWT = errors.New("chatident: login token refused")

// Validate reports a configuration mistake; New calls it.
func (s *JWTCookie) Validate() error {
	var errs []error
	if s.Name != "" && !validCookieName(s.Name) {
		errs = append(errs, fmt.Errorf("JWTCookie.Name %q is not a valid cookie name", s.Name))
	}
	switch {
	case len(s.Secret) == 0 && s.PublicKey == nil:
		errs = append(errs, errors.New("JWTCookie: set Secret (HS256) or PublicKey (RS256)"))
	case len(s.Secret) > 0 && s.PublicKey != nil:
		errs = append(errs, errors.New("JWTCookie: set only one of Secret (HS256) and PublicKey (RS256)"))
	case s.PublicKey != nil:
		if err := checkRSAKey(s.PublicKey); err != nil {
			errs = append(errs, fmt.Errorf("JWTCookie.PublicKey %w", err))
		}
	case len(s.Secret) < 32:
		errs = append(errs, fmt.Errorf("JWTCookie.Secret is %d bytes, want at least 32 for HS256", len(s.Secret)))
	}
	if len(s.PreviousSecrets) > 0 && len(s.Secret) == 0 {
		errs = append(errs, errors.New("JWTCookie.PreviousSecrets is set without Secret: the algorithm cannot change in a rotation"))
	}
	for i, k := range s.PreviousSecrets {
		if len(k) < 32 {
			errs = append(errs, fmt.Errorf("JWTCookie.PreviousSecrets[%d] is %d bytes, want at least 32 for HS256", i, len(k)))
		}
	}
	if len(s.PreviousPublicKeys) > 0 && s.PublicKey == nil {
		errs = append(errs, errors.New("JWTCookie.PreviousPublicKeys is set without PublicKey: the algorithm cannot change in a rotation"))
	}
	for i, k := range s.PreviousPublicKeys {
		if err := checkRSAKey(k); err != nil {
			errs = append(errs, fmt.Errorf("JWTCookie.PreviousPublicKeys[%d] %w", i, err))
		}
	}
	if s.Leeway < 0 || s.Leeway > maxJWTLeeway {
		errs = append(errs, fmt.Errorf("JWTCookie.Leeway %v is outside 0 to %v", s.Leeway, maxJWTLeeway))
	}
	if s.MaxLifetime < 0 {
		errs = append(errs, fmt.Errorf("JWTCookie.MaxLifetime %v is negative", s.MaxLifetime))
	}
	return errors.Join(errs...)
}

// checkRSAKey refuses a nil or short RSA public key or one with an invalid
// exponent.
func checkRSAKey(k *rsa.PublicKey) error {
	switch {
	case k == nil:
		return errors.New("is nil")
	case k.N == nil || k.N.BitLen() < 2048:
		return errors.New("is shorter than 2048 bits")
	case k.E < 3 || k.E%2 == 0:
		return errors.New("has an invalid exponent")
	}
	return nil
}

// Lookup verifies the token in the cookie. A missing cookie is (nil, nil); a
// token that is oversized, malformed, wrongly signed, expired, issued in the
// future, without sub, or issued for longer than MaxLifetime is an error
// wrapping the jwt sentinel that says why.
func (s *JWTCookie) Lookup(r *http.Request) (*vendors.Visitor, error) {
	name := s.Name
	if name == "" {
		name = DefaultJWTCookie
	}
	c, err := r.Cookie(name)
	if err != nil {
		return nil, nil // http.ErrNoCookie is the only error r.Cookie returns
	}
	if len(c.Value) > maxJWTBytes {
		return nil, fmt.Errorf("%w: %w (over %d bytes)", errBadJWT, jwt.ErrTokenMalformed, maxJWTBytes)
	}
	s.once.Do(s.build)
	claims := jwt.MapClaims{}
	if _, err := s.parser.ParseWithClaims(c.Value, claims, s.key); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadJWT, jwtReason(err))
	}
	if s.MaxLifetime > 0 {
		if err := s.checkLifetime(claims); err != nil {
			return nil, fmt.Errorf("%w: %w", errBadJWT, err)
		}
	}
	sub, err := claims.GetSubject()
	if err != nil || sub == "" {
		return nil, fmt.Errorf("%w: %w: sub", errBadJWT, jwt.ErrTokenRequiredClaimMissing)
	}
	v := vendors.Visitor{ID: sub}
	if email, ok := claims["email"].(string); ok {
		v.Email = email
	}
	if n, ok := claims["name"].(string); ok {
		v.Name = n
	}
	if s.Visitor != nil {
		var ok bool
		if v, ok = s.Visitor(claims, v); !ok {
			return nil, nil
		}
	}
	return &v, nil
}

func (s *JWTCookie) build() {
	s.alg = jwt.SigningMethodHS256.Alg()
	var keys []jwt.VerificationKey
	if s.PublicKey != nil {
		s.alg = jwt.SigningMethodRS256.Alg()
		keys = append(keys, s.PublicKey)
		for _, k := range s.PreviousPublicKeys {
			keys = append(keys, k)
		}
	} else {
		keys = append(keys, s.Secret)
		for _, k := range s.PreviousSecrets {
			keys = append(keys, k)
		}
	}
	if len(keys) == 1 {
		s.keys = keys[0]
	} else {
		// jwt tries each in order and stops at the first that verifies.
		s.keys = jwt.VerificationKeySet{Keys: keys}
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{s.alg}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(s.Leeway),
		// Only the canonical base64url form: otherwise the last character
		// of the signature can take four values with the same bits, and one
		// token has four spellings that all verify.
		jwt.WithStrictDecoding(),
	}
	if s.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(s.Issuer))
	}
	if s.Audience != "" {
		opts = append(opts, jwt.WithAudience(s.Audience))
	}
	s.parser = jwt.NewParser(opts...)
}

// checkLifetime refuses a token whose exp − iat exceeds MaxLifetime, or
// that has no iat. jwt has already checked both claims' types and exp's
// presence; the difference is taken in float64 seconds, as the claims
// arrive, because converting a huge or negative time to time.Time or
// time.Duration would overflow.
func (s *JWTCookie) checkLifetime(claims jwt.MapClaims) error {
	iat, ok := numericClaim(claims, "iat")
	if !ok {
		return fmt.Errorf("%w: iat (MaxLifetime is set)", jwt.ErrTokenRequiredClaimMissing)
	}
	exp, ok := numericClaim(claims, "exp")
	if !ok {
		return fmt.Errorf("%w: exp", jwt.ErrTokenRequiredClaimMissing)
	}
	// Written so that NaN (impossible from JSON, but cheap to refuse) fails.
	if life := exp - iat; !(life >= 0 && life <= s.MaxLifetime.Seconds()) {
		return fmt.Errorf("%w: exp - iat is negative or over MaxLifetime", jwt.ErrTokenInvalidClaims)
	}
	return nil
}

// numericClaim reads a NumericDate claim as jwt decodes it: a float64, or a
// json.Number should the parser ever be set to use them.
func numericClaim(claims jwt.MapClaims, name string) (float64, bool) {
	switch v := claims[name].(type) {
	case float64:
		return v, true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return 0, false
}

// key hands jwt the configured key. WithValidMethods has already pinned the
// algorithm; checking again here keeps a key from ever meeting a method it
// was not meant for, should the options change.
func (s *JWTCookie) key(t *jwt.Token) (any, error) {
	if t.Method.Alg() != s.alg {
		return nil, jwt.ErrTokenSignatureInvalid
	}
	return s.keys, nil
}

// jwtReason reduces a jwt error to the fixed sentinel that says why.
func jwtReason(err error) error {
	for _, reason := range [...]error{
		jwt.ErrTokenExpired,
		jwt.ErrTokenUsedBeforeIssued,
		jwt.ErrTokenNotValidYet,
		jwt.ErrTokenRequiredClaimMissing,
		jwt.ErrTokenInvalidIssuer,
		jwt.ErrTokenInvalidAudience,
		jwt.ErrTokenMalformed,
		jwt.ErrTokenSignatureInvalid,
		jwt.ErrTokenUnverifiable,
	} {
		if errors.Is(err, reason) {
			return reason
		}
	}
	return jwt.ErrTokenInvalidClaims
}
