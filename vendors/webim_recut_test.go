package vendors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// webimDocumentedKeys are the fields Webim documents for webim_visitor,
// sorted by name: the order their values are concatenated in.
var webimDocumentedKeys = []string{"avatar_url", "comment", "display_name", "email", "id", "info", "login", "phone", "profile_url"}

// recutGoal is what findWebimRecut looks for in a signed string: another
// reading of it whose id is a different id of the form idEnds accepts, or
// whose login is a different login of the form loginEnds accepts, or whose
// expires is later.
type recutGoal struct {
	keys      []string // documented field names, sorted
	id, login string   // the original values; login "" when none was sent
	expires   int64    // the original expires
	// idEnds and loginEnds return every end such that s[pos:end] has the
	// form of an id (a login) someone could be given.
	idEnds, loginEnds func(s string, pos int) []int
	// dropExpires also reports a reading with no expires at all.
	dropExpires bool
}

// endsOf turns a predicate into an ends function by trying every end: for
// the small strings of hand-written cases.
func endsOf(valid func(string) bool) func(string, int) []int {
	return func(s string, pos int) []int {
		var ends []int
		for end := pos + 1; end <= len(s); end++ {
			if valid(s[pos:end]) {
				ends = append(ends, end)
			}
		}
		return ends
	}
}

// opaqueIDEnds and webimLoginEnds are the ends functions of chatident's own
// forms; each start has at most one end.
func opaqueIDEnds(s string, pos int) []int {
	if end := pos + webimIDLen; end <= len(s) && isWebimOpaqueID(s[pos:end]) {
		return []int{end}
	}
	return nil
}

func webimLoginEnds(s string, pos int) []int {
	if !strings.HasPrefix(s[pos:], "[[") {
		return nil
	}
	if i := strings.IndexAny(s[pos+2:], "[]"); i > 0 && strings.HasPrefix(s[pos+2+i:], "]]") {
		return []int{pos + 2 + i + 2}
	}
	return nil
}

// holdsWebimLogin reports whether s has a substring of the login form.
func holdsWebimLogin(s string) bool {
	for pos := range s {
		if webimLoginEnds(s, pos) != nil {
			return true
		}
	}
	return false
}

// recut is one reading of a signed string as an object Webim accepts.
type recut struct {
	why     string            // "id", "login", "expires" or "no expires"
	fields  map[string]string // non-empty values only
	expires string            // "" when there is none
}

func (r recut) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:", r.why)
	for _, k := range webimDocumentedKeys {
		if v, ok := r.fields[k]; ok {
			fmt.Fprintf(&b, " %s=%q", k, v)
		}
	}
	fmt.Fprintf(&b, " expires=%q", r.expires)
	return b.String()
}

// findWebimRecut searches every reading of signed (the byte string Webim
// hashes) as an object: the documented keys in sorted order, each either
// absent or given a non-empty value (Webim leaves out empty ones, and an
// empty value adds nothing to the string), the values concatenated, then
// an optional decimal expires without leading zeros (a JSON number). id is
// required, with any value. It returns a reading that reaches the goal, or
// false when none exists.
//
// The search is dynamic programming over (position in signed, keys
// considered, flags), flags recording whether an id was given, whether it is
// a different id of the goal's form and whether the login is a different
// login of the goal's form. A key either is skipped or takes signed[pos:end]
// for any end > pos; since every key takes any value, the states reachable
// after a key follow from those before it in one pass, plus the few ends of
// id and login values of the goal's forms. It is exhaustive, in
// O(keys·flags·n) steps beyond those ends.
func findWebimRecut(signed string, g recutGoal) (recut, bool) {
	const (
		fID      = 1 // an id was given
		fIDDiff  = 2 // ... and it is a different id of the goal's form
		fLogDiff = 4 // a different login of the goal's form was given
		nFlags   = 8
	)
	n, K := len(signed), len(g.keys)
	idx := func(pos, k, f int) int { return (k*(n+1)+pos)*nFlags + f }
	type parent struct{ from, start int } // from state; start of the value, -1 when the key was skipped
	reach := make([]bool, (n+1)*(K+1)*nFlags)
	par := make([]parent, len(reach))
	set := func(to, from, start int) {
		if !reach[to] {
			reach[to], par[to] = true, parent{from, start}
		}
	}
	reach[idx(0, 0, 0)] = true
	for k, key := range g.keys {
		for f := 0; f < nFlags; f++ {
			nf := f
			if key == "id" {
				nf |= fID
			}
			last := -1 // the latest reachable start before end
			for pos := 0; pos <= n; pos++ {
				if pos > 0 && last >= 0 {
					set(idx(pos, k+1, nf), idx(last, k, f), last)
				}
				if !reach[idx(pos, k, f)] {
					continue
				}
				last = pos
				set(idx(pos, k+1, f), idx(pos, k, f), -1)
				switch key {
				case "id":
					for _, end := range g.idEnds(signed, pos) {
						if signed[pos:end] != g.id {
							set(idx(end, k+1, nf|fIDDiff), idx(pos, k, f), pos)
						}
					}
				case "login":
					for _, end := range g.loginEnds(signed, pos) {
						if signed[pos:end] != g.login {
							set(idx(end, k+1, f|fLogDiff), idx(pos, k, f), pos)
						}
					}
				}
			}
		}
	}
	witness := func(state int, why, expires string) recut {
		r := recut{why: why, fields: map[string]string{}, expires: expires}
		for state != idx(0, 0, 0) {
			p := par[state]
			if p.start >= 0 {
				pos := state / nFlags % (n + 1)
				k := p.from / nFlags / (n + 1)
				r.fields[g.keys[k]] = signed[p.start:pos]
			}
			state = p.from
		}
		return r
	}
	orig := strconv.FormatInt(g.expires, 10)
	later := func(e string) bool {
		if len(e) != len(orig) {
			return len(e) > len(orig)
		}
		return e > orig
	}
	var found []recut
	for m := 1; m <= n; m++ {
		tail := signed[m:]
		if tail != "" && (!allDigits(tail) || len(tail) > 1 && tail[0] == '0') {
			continue
		}
		for f := 0; f < nFlags; f++ {
			state := idx(m, K, f)
			if !reach[state] || f&fID == 0 {
				continue
			}
			switch {
			case f&fIDDiff != 0:
				return witness(state, "id", tail), true
			case f&fLogDiff != 0:
				return witness(state, "login", tail), true
			case tail != "" && later(tail):
				found = append(found, witness(state, "expires", tail))
			case tail == "" && g.dropExpires:
				found = append(found, witness(state, "no expires", tail))
			}
		}
	}
	if len(found) > 0 {
		return found[0], true
	}
	return recut{}, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// webimGoal is the goal for an object chatident signed: no other opaque id,
// no other login of chatident's form, no later expires.
func webimGoal(fields []webimField, expires int64) recutGoal {
	return recutGoal{
		keys:      webimDocumentedKeys,
		id:        fieldValue(fields, "id"),
		login:     fieldValue(fields, "login"),
		expires:   expires,
		idEnds:    opaqueIDEnds,
		loginEnds: webimLoginEnds,
	}
}

// noteRecorder records Request.Notes calls as "vendor:reason" lines.
type noteRecorder struct{ notes []string }

func (n *noteRecorder) Note(vendor, reason string) { n.notes = append(n.notes, vendor+":"+reason) }
func (n *noteRecorder) String() string             { return strings.Join(n.notes, ",") }

// TestWebimRecutSearchFindsKnownAttacks checks that the search finds each
// attack the issue reported against the earlier scheme, so that its silence
// elsewhere means something.
func TestWebimRecutSearchFindsKnownAttacks(t *testing.T) {
	const expires = 1700003600
	hex64 := func(s string) bool { return len(s) == 64 && isLowerHex(s) }
	victimID := strings.Repeat("ab", 32)
	ownID := strings.Repeat("c", 63) + "d"
	tests := []struct {
		name   string
		fields Object
		goal   func(g recutGoal) recutGoal
		why    string
	}{
		// (a) A bare 64-hex id and a display name holding another's id.
		{"another's id in the display name", Object{{"display_name", victimID}, {"id", ownID}, {"login", "12345"}},
			func(g recutGoal) recutGoal { g.idEnds, g.loginEnds = endsOf(hex64), endsOf(allDigits); return g }, "id"},
		// A bare 64-hex id after an e-mail ending in hex digits: the window
		// shifted by one is 64 hex digits too.
		{"e-mail ending in .de", Object{{"email", "anna@example.de"}, {"id", ownID}},
			func(g recutGoal) recutGoal { g.idEnds = endsOf(hex64); return g }, "id"},
		// (b) The raw id in login, and a phone after it.
		// (Only logins are looked for: the bare id shifts too, see above.)
		{"login 1234 and phone 5", Object{{"id", ownID}, {"login", "1234"}, {"phone", "5"}},
			func(g recutGoal) recutGoal {
				g.idEnds, g.loginEnds = endsOf(func(string) bool { return false }), endsOf(allDigits)
				return g
			}, "login"},
		// (c) Digits of the last value moved into expires.
		{"phone digits into expires", Object{{"id", "u" + ownID}, {"login", "[[7]]"}, {"phone", "+78123855337"}},
			func(g recutGoal) recutGoal { return g }, "expires"},
		// chatident's own forms, planted by a visitor.
		{"opaque id planted in the name", Object{{"display_name", "u" + victimID}, {"id", "u" + ownID}, {"login", "[[7]]"}},
			func(g recutGoal) recutGoal { return g }, "id"},
		{"login planted in the name", Object{{"display_name", "x[[1]]"}, {"id", "u" + ownID}, {"login", "[[7]]"}},
			func(g recutGoal) recutGoal { return g }, "login"},
		{"login planted in info", Object{{"id", "u" + ownID}, {"info", "[[1]]"}, {"login", "[[7]]"}},
			func(g recutGoal) recutGoal { return g }, "login"},
	}
	for _, tt := range tests {
		g := tt.goal(webimGoal(asFields(tt.fields), expires))
		r, ok := findWebimRecut(webimSignedString(asFields(tt.fields), expires), g)
		if !ok || r.why != tt.why {
			t.Errorf("%s: found %v (%v), want a different %s", tt.name, r, ok, tt.why)
			continue
		}
		// The reading must sign the very same string.
		var re Object
		for _, k := range webimDocumentedKeys {
			if v, ok := r.fields[k]; ok {
				re = append(re, Field{k, v})
			}
		}
		got := webimSignedString(asFields(re), 0)
		got = strings.TrimSuffix(got, "0") + r.expires
		if got != webimSignedString(asFields(tt.fields), expires) {
			t.Errorf("%s: the reading %v signs %q, not the original string", tt.name, r, got)
		}
		if tt.why != "expires" && webimUnambiguous(nil, asFields(tt.fields)) && isWebimOpaqueID(g.id) {
			t.Errorf("%s: webimUnambiguous accepts an object the search re-cuts", tt.name)
		}
	}
	// Dropping expires is always possible: Webim makes it optional, and its
	// digits can become (the end of) a last profile_url. No sender can
	// prevent it; see the Webim security notes.
	fields := Object{{"id", "u" + ownID}, {"login", "[[7]]"}}
	g := webimGoal(asFields(fields), expires)
	g.dropExpires = true
	if r, ok := findWebimRecut(webimSignedString(asFields(fields), expires), g); !ok || r.why != "no expires" {
		t.Errorf("dropping expires: found %v (%v), want it found", r, ok)
	}
}

// webimHostileVisitors are visitors whose values try to make a re-cut
// possible: names ending in digits or hex digits, hex-looking names, others'
// opaque ids and logins, empty fields, ids that are prefixes of others,
// brackets, digits before expires.
func webimHostileVisitors(t testing.TB) []Visitor {
	w := &Webim{PrivateKey: testKey, IDKey: testIDKey}
	other := webimOpaqueID(&w.macs, testIDKey, "12345")
	hex := strings.Repeat("0123456789abcdef", 4)
	var vs []Visitor
	for _, id := range []string{"1", "12", "123", "1234", "12345", "123456", "00012", "u" + hex, hex, "[[1]]", "a]]b[[c"} {
		vs = append(vs,
			Visitor{ID: id},
			Visitor{ID: id, Name: "Anna 2024", Phone: "+78123855337"},
			Visitor{ID: id, Name: "Cafe Bebe", Email: "dad@cafe.de"},
			Visitor{ID: id, Name: hex, Email: hex + "@" + hex + ".de"},
			Visitor{ID: id, Name: other, Email: "x@y.z"},
			Visitor{ID: id, Name: "x" + other[:40], Email: other[40:]},
			Visitor{ID: id, Name: "[[12345]]"},
			Visitor{ID: id, Name: "<12345> </script><script>alert(1)</script>", Email: "]]>"},
			Visitor{ID: id, Name: "Bob <bob@example.com>"},
			Visitor{ID: id, Name: "[Team] Bob 7", Login: "bob7", Phone: "5"},
			Visitor{ID: id, Login: "1234", Phone: "5"},
			Visitor{ID: id, Login: "[", Phone: "]"},
			Visitor{ID: id, Login: "[[", Phone: "]]"},
			Visitor{ID: id, Phone: "12", ProfileURL: "https://example.com/u/12"},
			Visitor{ID: id, ProfileURL: "https://example.com/u/[[1]]"},
			Visitor{ID: id, AvatarURL: "https://example.com/" + hex, ProfileURL: "1"},
			Visitor{ID: id, Name: "9", Email: "9", Phone: "9", Login: "9", AvatarURL: "9", ProfileURL: "9"},
			Visitor{ID: id, Name: "u", Email: hex},
			Visitor{ID: id, Name: "😀", Phone: "١٢٣"},
		)
	}
	return vs
}

// TestWebimNoRecut builds the object for every hostile visitor, with and
// without comment and info, and checks with the exhaustive search that no
// reading of what is signed has another opaque id, another login of
// chatident's form or a later expires, or else that chatident declined to
// sign it. Ordinary values must not be declined.
func TestWebimNoRecut(t *testing.T) {
	r := testRequest()
	expires := r.Now.Add(time.Hour).Unix()
	configs := []*Webim{
		{PrivateKey: testKey, IDKey: testIDKey},
		{PrivateKey: testKey, IDKey: testIDKey, Charset: WebimCP1251,
			Comment: func(v Visitor) string { return v.Name + "1" },
			Info:    func(v Visitor) string { return v.Phone + "[[" + v.Email }},
		{PrivateKey: testKey, IDKey: testIDKey, Charset: WebimKOI8R,
			Info: func(v Visitor) string { return v.Login + v.ProfileURL }},
	}
	signed, declined := 0, 0
	for ci, w := range configs {
		for _, v := range webimHostileVisitors(t) {
			obj, _, err := visitorObjectForTest(w, r, v)
			if errors.Is(err, ErrWebimAmbiguous) {
				declined++
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			signed++
			fields := obj[0].Value.(Object)
			s := webimSignedString(asFields(fields), expires)
			if got, ok := findWebimRecut(s, webimGoal(asFields(fields), expires)); ok {
				t.Errorf("config %d, visitor %+v: %q re-cuts to %v", ci, v, s, got)
			}
		}
	}
	t.Logf("%d objects signed and proven unambiguous, %d declined", signed, declined)
	if signed == 0 {
		t.Fatal("nothing was signed")
	}
	w := configs[0]
	for _, v := range []Visitor{
		{ID: "12345", Name: "Анна Петрова", Email: "anna@example.de", Phone: "+78123855337"},
		{ID: "12345", Name: "Bob 2", Login: "bob", ProfileURL: "https://example.com/u/12345"},
		{ID: "1", Name: "[Team] Bob", Email: "bob@cafe.be"},
	} {
		if _, _, err := visitorObjectForTest(w, r, v); err != nil {
			t.Errorf("ordinary visitor %+v: %v", v, err)
		}
	}
}

// TestWebimDeclinesAmbiguous checks what a declined visitor gets: the
// anonymous script (the loader, no identity), one note, and 401 from the
// refresh endpoint; VisitorJSON returns ErrWebimAmbiguous.
func TestWebimDeclinesAmbiguous(t *testing.T) {
	w := &Webim{PrivateKey: testKey, IDKey: testIDKey, Account: "demo"}
	other := webimOpaqueID(&w.macs, testIDKey, "12345")
	v := Visitor{ID: "666", Name: other}
	notes := &noteRecorder{}
	r := testRequest()
	r.Notes = notes
	if _, err := w.Prepare(testSetup(r)); err != nil {
		t.Fatal(err)
	}
	var d Data
	d.Reset(nil)
	if err := w.Identify(context.Background(), r, v, &d); !errors.Is(err, ErrAnonymous) {
		t.Errorf("Identify = %v, want ErrAnonymous: the page gets the anonymous code, with the loader", err)
	}
	if notes.String() != "webim:ambiguous" {
		t.Errorf("notes = %q, want webim:ambiguous", notes)
	}
	if _, err := w.VisitorJSON(testRequest(), v); !errors.Is(err, ErrWebimAmbiguous) {
		t.Errorf("VisitorJSON: %v, want ErrWebimAmbiguous", err)
	}
	rec, res := serve(endpointByPath(t, w, "refresh"), http.MethodGet, nil, &v)
	if rec.Code != http.StatusUnauthorized || res.Reason != ReasonDeclined {
		t.Errorf("refresh: %d %+v, want 401 declined", rec.Code, res)
	}
}

// FuzzWebimRecut builds the object for any visitor values and checks, with
// the exhaustive search, that chatident either declined or signed a string
// no reading of which has another opaque id, another login of chatident's
// form or a later expires.
func FuzzWebimRecut(f *testing.F) {
	hex := strings.Repeat("0123456789abcdef", 4)
	f.Add("12345", "Anna 1", "a@b.de", "+7812", "", "", "", "")
	f.Add("1", hex, hex, "5", "1234", "https://x/1", "", "9")
	f.Add("u"+hex, "[[1]]", "u", "[", "]", "", "u"+hex, "")
	f.Add("1", "x", "[[", "]]", "[", "]", "[[2]]", "]]")
	f.Add("", "", "", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, id, name, email, phone, login, profile, avatar, info string) {
		clip := func(s string) string {
			if len(s) > 80 {
				return s[:80]
			}
			return s
		}
		w := &Webim{PrivateKey: testKey, IDKey: testIDKey, Info: func(Visitor) string { return clip(info) }}
		v := Visitor{ID: clip(id), Name: clip(name), Email: clip(email), Phone: clip(phone), Login: clip(login),
			ProfileURL: clip(profile), AvatarURL: clip(avatar)}
		r := testRequest()
		obj, _, err := visitorObjectForTest(w, r, v)
		if errors.Is(err, ErrWebimAmbiguous) || errors.Is(err, ErrNoVisitorID) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		fields := obj[0].Value.(Object)
		expires := obj[1].Value.(int64)
		s := webimSignedString(asFields(fields), expires)
		if got, ok := findWebimRecut(s, webimGoal(asFields(fields), expires)); ok {
			t.Errorf("%q re-cuts to %v", s, got)
		}
	})
}

// asFields is the signed fields of an Object of string values.
func asFields(o Object) []webimField {
	fs := make([]webimField, len(o))
	for i, f := range o {
		fs[i] = webimField{f.Key, f.Value.(string)}
	}
	return fs
}

// visitorObjectForTest returns the signed object for v at r.Now as an
// Object ({fields, expires, hash}), whether a value was normalised, or
// ErrWebimAmbiguous: what Identify writes, unbucketed.
func visitorObjectForTest(w *Webim, r Request, v Visitor) (Object, bool, error) {
	data, normalized, err := w.visitorJSON(r, v)
	if err != nil {
		return nil, normalized, err
	}
	var o struct {
		Fields  map[string]string
		Expires int64
		Hash    string
	}
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, normalized, err
	}
	var fields Object
	for _, k := range sortedKeys(o.Fields) {
		fields = append(fields, Field{k, o.Fields[k]})
	}
	return Object{{"fields", fields}, {"expires", o.Expires}, {"hash", o.Hash}}, normalized, nil
}
