package middleware

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestJWTCookieMaxLifetime checks JWTCookie.MaxLifetime against tokens
// whose issuer gave them too long a life, no iat, an iat after exp, or
// claims of the wrong type or out of range.
func TestJWTCookieMaxLifetime(t *testing.T) {
	const max = time.Hour
	src := &JWTCookie{Secret: []byte(testKey), MaxLifetime: max, Leeway: 5 * time.Minute}
	if err := src.Validate(); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	hs := func(iat, exp any) string {
		return sign(t, jwt.SigningMethodHS256, []byte(testKey), with(loginClaims(), "iat", iat, "exp", exp))
	}
	for _, tc := range []struct {
		name  string
		token string
		why   error // nil: accepted
	}{
		{"issued a minute ago for an hour", hs(now-60, now-60+3600), nil},
		{"exactly MaxLifetime", hs(now-10, now-10+3600), nil},
		{"fractional times within it", hs(float64(now)-10.25, float64(now)-10.25+3600), nil},
		{"one second over", hs(now-10, now-10+3601), jwt.ErrTokenInvalidClaims},
		{"half a second over", hs(float64(now)-10, float64(now)-10+3600.5), jwt.ErrTokenInvalidClaims},
		{"issued long ago, exp soon", hs(now-365*24*3600, now+60), jwt.ErrTokenInvalidClaims},
		{"a year-long token issued now", hs(now, now+365*24*3600), jwt.ErrTokenInvalidClaims},
		{"no iat", hs(nil, now+60), jwt.ErrTokenRequiredClaimMissing},
		{"exp before iat (within leeway)", hs(now+120, now+60), jwt.ErrTokenInvalidClaims},
		{"iat zero", hs(0, now+60), jwt.ErrTokenInvalidClaims},
		{"iat hugely negative", hs(-1e300, now+60), nil}, // refused, by jwt or by the bound
		{"exp huge", hs(now, 1e300), nil},
		{"iat as a string", hs(strconv.FormatInt(now, 10), now+60), nil},
		{"iat as a bool", hs(true, now+60), nil},
		{"iat null", hs(json.RawMessage("null"), now+60), nil},
		{"iat an array", hs([]int64{now}, now+60), nil},
		{"python token: issued 2023, exp 2100", pythonToken, jwt.ErrTokenInvalidClaims},
	} {
		v, err := src.Lookup(withCookies("/", tokenCookie(tc.token)))
		accepted := tc.why == nil && !refusedAnyway(tc.name)
		switch {
		case accepted && (err != nil || v == nil):
			t.Errorf("%s: Lookup = %+v, %v; want accepted", tc.name, v, err)
		case !accepted && (v != nil || !errors.Is(err, errBadJWT)):
			t.Errorf("%s: Lookup = %+v, %v; want refused", tc.name, v, err)
		case tc.why != nil && !errors.Is(err, tc.why):
			t.Errorf("%s: error %v does not say %v", tc.name, err, tc.why)
		}
	}

	// Without MaxLifetime the long-lived and iat-less tokens pass: the
	// bound is what refuses them.
	plain := &JWTCookie{Secret: []byte(testKey)}
	for _, token := range []string{pythonToken, hs(nil, now+60), hs(now-365*24*3600, now+60)} {
		if v, err := plain.Lookup(withCookies("/", tokenCookie(token))); err != nil || v == nil {
			t.Errorf("without MaxLifetime: Lookup = %+v, %v; want accepted", v, err)
		}
	}
	// The Python token, issued 2023-11-14 and valid to 2100, fits a bound
	// of 250 years.
	long := &JWTCookie{Secret: []byte(testKey), MaxLifetime: 250 * 365 * 24 * time.Hour}
	if v, err := long.Lookup(withCookies("/", tokenCookie(pythonToken))); err != nil || v == nil {
		t.Errorf("python token under a 250-year bound: Lookup = %+v, %v; want accepted", v, err)
	}
	if err := (&JWTCookie{Secret: []byte(testKey), MaxLifetime: -1}).Validate(); err == nil {
		t.Error("negative MaxLifetime accepted")
	}
}

// refusedAnyway names the cases above that must be refused whichever check
// catches them (jwt's claim types and ranges, or the bound).
func refusedAnyway(name string) bool {
	switch name {
	case "iat hugely negative", "exp huge", "iat as a string", "iat as a bool", "iat null", "iat an array":
		return true
	}
	return false
}

// FuzzJWTCookieLifetime signs tokens whose iat is any JSON value (or a
// number near now) and whose exp is any offset from it, and checks the
// bound against an exact reading: a token is accepted with MaxLifetime
// exactly when it is accepted without it, its iat is a number, and exp − iat,
// computed in exact rational arithmetic, is between 0 and MaxLifetime.
func FuzzJWTCookieLifetime(f *testing.F) {
	f.Add(-60.0, 3600.0, "")
	f.Add(-60.0, 3600.5, "")
	f.Add(-10.25, 3600.0, "")
	f.Add(120.0, -60.0, "")
	f.Add(0.0, 60.0, "null")
	f.Add(0.0, 60.0, "-1e300")
	f.Add(0.0, 60.0, `"0"`)
	f.Add(0.0, 60.0, "1e999")
	f.Add(0.0, 1e300, "")
	f.Add(-1e9, 1e9+30, "")
	f.Add(0.0, 60.0, "omit")
	const max = time.Hour
	bounded := &JWTCookie{Secret: []byte(testKey), MaxLifetime: max, Leeway: 5 * time.Minute}
	plain := &JWTCookie{Secret: []byte(testKey), Leeway: 5 * time.Minute}
	f.Fuzz(func(t *testing.T, iatDelta, life float64, iatRaw string) {
		if math.IsNaN(iatDelta) || math.IsInf(iatDelta, 0) || math.IsNaN(life) || math.IsInf(life, 0) {
			return // not expressible in JSON
		}
		now := float64(time.Now().Unix())
		iat := now + iatDelta
		exp := iat + life
		if math.IsInf(exp, 0) {
			return
		}
		payload := map[string]json.RawMessage{
			"sub": json.RawMessage(`"u-1"`),
			"exp": json.RawMessage(strconv.FormatFloat(exp, 'g', -1, 64)),
			"iat": json.RawMessage(strconv.FormatFloat(iat, 'g', -1, 64)),
		}
		switch {
		case iatRaw == "omit":
			delete(payload, "iat")
		case iatRaw != "":
			if !json.Valid([]byte(iatRaw)) {
				return
			}
			payload["iat"] = json.RawMessage(iatRaw)
		}
		body, err := json.Marshal(payload)
		if err != nil {
			t.Fatal(err)
		}
		token := hs256Token(body)
		r := withCookies("/", &http.Cookie{Name: "token", Value: token})

		vb, _ := bounded.Lookup(r)
		vp, _ := plain.Lookup(r)
		want := vp != nil && withinBound(body, max)
		if got := vb != nil; got != want {
			t.Fatalf("payload %s: accepted %v with MaxLifetime, want %v (accepted without it: %v)", body, got, want, vp != nil)
		}
	})
}

// withinBound reads exp and iat from a payload exactly and reports whether
// iat is a number and 0 <= exp - iat <= max.
func withinBound(payload []byte, max time.Duration) bool {
	var claims map[string]json.RawMessage
	if json.Unmarshal(payload, &claims) != nil {
		return false
	}
	num := func(name string) (*big.Rat, bool) {
		raw, ok := claims[name]
		if !ok {
			return nil, false
		}
		// jwt decodes numbers to float64 first; read what it reads, exactly.
		var f float64
		if json.Unmarshal(raw, &f) != nil {
			return nil, false
		}
		return new(big.Rat).SetFloat64(f), true
	}
	iat, ok1 := num("iat")
	exp, ok2 := num("exp")
	if !ok1 || !ok2 {
		return false
	}
	life := new(big.Rat).Sub(exp, iat)
	return life.Sign() >= 0 && life.Cmp(new(big.Rat).SetInt64(int64(max/time.Second))) <= 0
}

// hs256Token signs payload with testKey by hand, with crypto/hmac rather
// than jwt, as pythonToken was.
func hs256Token(payload []byte) string {
	b := base64.RawURLEncoding
	signed := b.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + b.EncodeToString(payload)
	mac := hmac.New(sha256.New, []byte(testKey))
	mac.Write([]byte(signed))
	return signed + "." + b.EncodeToString(mac.Sum(nil))
}
