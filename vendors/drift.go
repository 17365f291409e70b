package vendors

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Drift identifies signed-in visitors to the Drift widget with Drift's
// signed identities:
//
//	drift.identify("<user id>", {"email": "…", "name": "…"}, {"userJwt": "<JWT>"});
//
// through Drift's command queue (defined as Drift's snippet does), after
// drift.load("<EmbedID>").
//
// # Identity
//
// userJwt is an HS256 JWT signed with SigningKey whose sub is the visitor's
// ID, the only claim Drift requires, plus exp, TokenTTL after signing (five
// minutes by default; a token is reused for the same visitor while half its
// lifetime remains): a token copied from a page is useless soon after.
// Whether Drift requires or checks exp is unconfirmed. The attributes
// (email, name) are not signed.
//
// Unconfirmed: the three-argument call shape of identify with {userJwt}
// comes from Drift's developer documentation of signed identities and is
// not confirmed by a Drift-published reference; build as documented here.
//
// Set the workspace's signed identity mode to REQUIRED in Drift. In ENABLED
// mode Drift also accepts identify calls without a JWT, so anyone can still
// claim any user id from the browser; only REQUIRED makes the signature a
// protection.
//
// Anonymous visitors get the widget without identity. Reset after sign-out
// calls drift.reset(); its exact semantics (whether it ends the identified
// session and clears Drift's cookies) are unconfirmed by Drift. An in-place
// identity change calls drift.identify again with a fresh JWT.
//
// # Secrets
//
// SigningKey is the widget security signing key (Settings → Widget security),
// used as its bytes as Drift shows it. It never reaches the browser.
//
// # Content Security Policy
//
// Drift does not document the hosts its widget needs.
//
// Build the value once and do not change its fields after passing it to
// middleware.New: requests read it concurrently.
type Drift struct {
	// EmbedID is the widget's embed id (from drift.load), required.
	EmbedID string
	// SigningKey signs identity JWTs (required, at least 16 bytes).
	SigningKey []byte
	// TokenTTL is how long an identity JWT is valid; five minutes by
	// default, at least ten seconds and at most an hour.
	TokenTTL time.Duration
	// ScriptURL is the widget's script, https://js.driftt.com/include/<five-minute bucket>/<EmbedID>.js, as Drift's snippet builds it
	// by default: set it only to serve the widget from elsewhere (a local
	// stand-in, a proxy). An absolute http(s) URL or a path on the site.
	ScriptURL string

	prepared atomic.Bool // set by Prepare
	jwts     jwtMemo     // signed JWTs, reused while half their life remains
}

const (
	driftName       = "drift"
	driftDefaultTTL = 5 * time.Minute
)

// Name returns "drift".
func (dr *Drift) Name() string { return driftName }

// Validate reports every configuration mistake, each a *ConfigError,
// joined with errors.Join.
func (dr *Drift) Validate() error {
	errs := []error{
		checkID(driftName, "EmbedID", dr.EmbedID, 64, ""),
		checkKey(driftName, "SigningKey", dr.SigningKey),
	}
	switch {
	case dr.TokenTTL < 0:
		errs = append(errs, configErr(driftName, "TokenTTL", "is negative"))
	case dr.TokenTTL != 0 && dr.TokenTTL < 10*time.Second:
		errs = append(errs, configErr(driftName, "TokenTTL", "is shorter than ten seconds"))
	case dr.TokenTTL > time.Hour:
		errs = append(errs, configErr(driftName, "TokenTTL", "is longer than an hour"))
	}
	if dr.ScriptURL != "" {
		errs = append(errs, checkScriptURL(driftName, "ScriptURL", dr.ScriptURL))
	}
	return errors.Join(errs...)
}

// Prepare checks the configuration and returns the widget's constant code:
//
//   - Identify defines Drift's queue, loads the widget once and queues
//     drift.identify(d.user_id, d.attributes, {userJwt: d.jwt});
//   - Anonymous defines the queue and loads the widget;
//   - Reset queues drift.reset() (semantics unconfirmed);
//   - Update queues a new identify (the reset has run for a visitor now
//     anonymous).
func (dr *Drift) Prepare(s Setup) (Script, error) {
	if err := dr.Validate(); err != nil {
		return Script{}, err
	}
	dr.jwts.prepare(s.MemoSize)
	dr.prepared.Store(true)
	c := dr.config()
	return Script{
		Identify:  widgetBody(c, driftStart, `start().identify(d.user_id,d.attributes,{userJwt:d.jwt});`),
		Anonymous: widgetBody(c, driftStart, `start();`),
		Reset:     widgetBody(c, driftQueue, `q().reset();`),
		Update:    widgetBody(c, driftStart, `if(d){start().identify(d.user_id,d.attributes,{userJwt:d.jwt})}`),
	}, nil
}

// Identify writes {user_id, attributes: {email, name}, jwt}.
func (dr *Drift) Identify(ctx context.Context, r Request, v Visitor, d *Data) error {
	if !dr.prepared.Load() {
		return errNotPrepared
	}
	return dr.write(d, v, now(r))
}

func (dr *Drift) config() Object {
	return Object{{"embed_id", dr.EmbedID}, {"src", dr.ScriptURL}}
}

// write writes {user_id, attributes: {email, name}, jwt}.
func (dr *Drift) write(s dataSink, v Visitor, now time.Time) error {
	if v.ID == "" {
		return ErrNoVisitorID
	}
	ttl := dr.TokenTTL
	if ttl == 0 {
		ttl = driftDefaultTTL
	}
	id := toValidUTF8(v.ID)
	tok, ok := dr.jwts.get(id, now, ttl)
	if !ok {
		var err error
		if tok, err = driftSign(dr.SigningKey, id, now.Add(ttl)); err != nil {
			return err
		}
		dr.jwts.put(id, tok, now.Add(ttl))
	}
	s.String("user_id", id)
	s.Object("attributes")
	if v.Email != "" {
		s.String("email", toValidUTF8(v.Email))
	}
	if v.Name != "" {
		s.String("name", toValidUTF8(v.Name))
	}
	s.End()
	s.String("jwt", tok)
	return nil
}

// driftSign returns the identity JWT: HS256 under key, claims sub and exp.
func driftSign(key []byte, sub string, exp time.Time) (string, error) {
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": sub, "exp": exp.Unix()}).SignedString(key)
	if err != nil {
		return "", fmt.Errorf("drift: signing identity: %w", err)
	}
	return s, nil
}

// The widget's code, through Drift's queue: an array with a stub per
// method, as Drift's snippet defines it, whose calls Drift runs when its
// script loads. The script's URL changes every five minutes, as in Drift's
// snippet, so start loads it once per page itself.
const (
	driftQueue jsCode = jsLoadDecl +
		`function q(){var t=w.driftt=w.drift=w.driftt||[];if(!t.init&&!t.invoked){t.invoked=true;` +
		`t.methods=["identify","config","track","reset","debug","show","ping","page","hide","off","on"];` +
		`t.factory=function(e){return function(){var n=Array.prototype.slice.call(arguments);n.unshift(e);t.push(n);return t}};` +
		`for(var i=0;i<t.methods.length;i++){t[t.methods[i]]=t.factory(t.methods[i])}` +
		`t.load=function(id){var p=3e5,n=Math.ceil(new Date()/p)*p;L(w.document,c.src||"https://js.driftt.com/include/"+n+"/"+encodeURIComponent(id)+".js")};` +
		`t.SNIPPET_VERSION="0.3.1"}return t}`
	driftStart jsCode = driftQueue +
		`function start(){var t=q();if(!t.init&&!t.chatidentLoad&&typeof t.load==="function"){t.chatidentLoad=true;t.load(c.embed_id)}return t}`
)

// Keys returns SigningKey, for middleware.New's check that no key serves
// two purposes.
func (dr *Drift) Keys() []Key {
	return []Key{{"SigningKey", dr.SigningKey}}
}
