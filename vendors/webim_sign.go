package vendors

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// webimField is one signed field: its name and its value as sent.
type webimField struct{ key, value string }

// webimValue is the name the re-cut guards use for a field.
type webimValue = webimField

// webimFields are a visitor's non-empty fields in field-name order, which is
// both the signing order and the order they are written in.
type webimFields struct {
	f [9]webimField
	n int
}

func (fs *webimFields) list() []webimField { return fs.f[:fs.n] }

// webimFields returns v's Webim fields. Values are in the form the browser
// will see (invalid UTF-8 replaced, see AppendJS; characters the account's
// charset cannot hold replaced by '?', see WebimCharset), so that Webim
// checks the hash over what it receives. normalized reports whether any
// value lost characters to the charset.
//
// Unless RawID is set, the fields are shaped so that no re-cut of the signed
// string reads as another visitor (see webimUnambiguous): id is the opaque
// webimIDPrefix form, login is wrapped in "[[" and "]]", and a value that
// would put a digit right before expires is followed by profile_url.
func (w *Webim) webimFields(v Visitor) (fs webimFields, normalized bool, err error) {
	if v.ID == "" {
		return fs, false, ErrNoVisitorID
	}
	id, login := v.ID, v.Login
	if !w.RawID {
		id = webimOpaqueID(&w.macs, w.IDKey, v.ID)
		if login == "" {
			// Operators still see who it is.
			login = v.ID
		}
	}
	var comment, info string
	if w.Comment != nil {
		comment = w.Comment(v)
	}
	if w.Info != nil {
		info = w.Info(v)
	}
	all := [...]webimField{ // sorted by key
		{"avatar_url", v.AvatarURL},
		{"comment", comment},
		{"display_name", v.Name},
		{"email", v.Email},
		{"id", id},
		{"info", info},
		{"login", login},
		{"phone", v.Phone},
		{"profile_url", v.ProfileURL},
	}
	for i := range all {
		var lost bool
		all[i].value, lost = w.Charset.normalize(toValidUTF8(all[i].value))
		normalized = normalized || lost
	}
	if !w.RawID {
		if all[6].value != "" {
			all[6].value = w.macs.wrapLogin(all[6].value)
		}
		all[8].value = webimGuardEnd(all[:8], all[8].value)
	}
	for _, f := range all {
		if f.value != "" {
			fs.f[fs.n] = f
			fs.n++
		}
	}
	return fs, normalized, nil
}

// toValidUTF8 replaces each byte that does not start a valid UTF-8 sequence
// with U+FFFD, exactly as AppendJS writes it (strings.ToValidUTF8 would
// instead merge a run of bad bytes into one U+FFFD).
func toValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string([]rune(s))
}

// webimSignedString is Webim's signed string: the field values in field-name
// order, concatenated without separators, then the decimal expires.
func webimSignedString(fields []webimField, expires int64) string {
	return string(appendWebimSigned(nil, fields, expires))
}

// appendWebimSigned appends the signed string to dst, in UTF-8.
func appendWebimSigned(dst []byte, fields []webimField, expires int64) []byte {
	for _, f := range fields {
		dst = append(dst, f.value...)
	}
	return strconv.AppendInt(dst, expires, 10)
}

// signMessage returns the hash of an encoded signed string.
func (w *Webim) signMessage(msg []byte) (string, error) {
	var h hash.Hash
	switch w.Hash {
	case WebimHMACSHA256:
		return w.macs.hexBytes(w.PrivateKey, msg), nil
	case WebimSHA256:
		h = sha256.New()
	case WebimSHA512:
		h = sha512.New()
	default:
		return "", configErr(webimName, "Hash", "is not a WebimHash constant")
	}
	h.Write(msg)
	h.Write(w.PrivateKey)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// encodeSigned appends the signed string, in the account's charset, to
// scratch[:0]. Values were normalised to the charset already (webimFields),
// so encoding cannot fail; the error path stays for a value that bypassed
// that. Each value is encoded on its own so that an error can name the
// field; for these single-byte charsets that is the same as encoding the
// whole string.
func (w *Webim) encodeSigned(scratch []byte, fields []webimField, expires int64) ([]byte, error) {
	var enc *encoding.Encoder
	switch w.Charset {
	case WebimUTF8:
		return appendWebimSigned(scratch[:0], fields, expires), nil
	case WebimCP1251:
		enc = charmap.Windows1251.NewEncoder()
	case WebimKOI8R:
		enc = charmap.KOI8R.NewEncoder()
	default:
		return nil, configErr(webimName, "Charset", "is not a WebimCharset constant")
	}
	msg := scratch[:0]
	for _, f := range fields {
		b, err := enc.Bytes([]byte(f.value))
		if err != nil {
			// The value itself stays out of the message: it is personal data.
			return nil, fmt.Errorf("webim: field %s cannot be encoded in %s: %w", f.key, w.Charset, err)
		}
		msg = append(msg, b...)
	}
	return strconv.AppendInt(msg, expires, 10), nil
}

// String returns the charset's name as Webim writes it.
func (c WebimCharset) String() string {
	switch c {
	case WebimUTF8:
		return "utf-8"
	case WebimCP1251:
		return "cp1251"
	case WebimKOI8R:
		return "koi8-r"
	}
	return "WebimCharset(" + strconv.Itoa(int(c)) + ")"
}

// String returns the algorithm's name.
func (h WebimHash) String() string {
	switch h {
	case WebimHMACSHA256:
		return "hmac-sha256"
	case WebimSHA256:
		return "sha256"
	case WebimSHA512:
		return "sha512"
	}
	return "WebimHash(" + strconv.Itoa(int(h)) + ")"
}

// webimBucket is how finely an identified page's expires is cut (see the
// Refresh section of Webim): a sixtieth of TTL, between a second and a minute.
func webimBucket(ttl time.Duration) int64 {
	return min(max(int64(ttl/time.Second)/60, 1), 60)
}

// expires returns the expiry for an object signed at t: t + TTL, from the
// start of t's bucket when bucketed.
func (w *Webim) expires(t time.Time, bucketed bool) int64 {
	ttl := w.ttl()
	sec := t.Unix()
	if bucketed {
		b := webimBucket(ttl)
		sec -= ((sec % b) + b) % b
	}
	return sec + int64(ttl/time.Second)
}

// appendVisitor writes the complete signed object's fields, expires and
// hash into the object d is in, and reports whether a value lost characters
// to the account's charset. It returns ErrWebimAmbiguous, and writes
// nothing, when the signed string could be re-cut into another visitor's
// object (see webimUnambiguous).
func (w *Webim) appendVisitor(d *Data, r Request, v Visitor, bucketed bool) (normalized bool, err error) {
	fields, normalized, err := w.webimFields(v)
	if err != nil {
		return false, err
	}
	exp := w.expires(now(r), bucketed)
	// The signed string is built in the spare capacity of d's buffer, which
	// the fields written next overwrite: no memory of its own.
	msg, err := w.encodeSigned(d.b[len(d.b):], fields.list(), exp)
	if err != nil {
		return normalized, err
	}
	// A signed string the memo holds was signed before, so it passed the
	// re-cut check then: the string without expires decides that check, and
	// it is the signed string less its final digits, since it never ends in
	// a digit itself. Only a string not seen before is checked and signed.
	sum, seen := "", false
	if w.Hash == WebimHMACSHA256 && !bytes.Equal(w.PrivateKey, w.IDKey) {
		// (With one key for both, the memo would hold opaque ids too.)
		sum, seen = w.macs.remembered(w.PrivateKey, msg)
	}
	if !seen {
		if !w.RawID && !webimUnambiguous(msg[len(msg):], fields.list()) {
			return normalized, ErrWebimAmbiguous
		}
		if sum, err = w.signMessage(msg); err != nil {
			return normalized, err
		}
	}
	d.Object("fields")
	for _, f := range fields.list() {
		d.String(f.key, f.value)
	}
	d.End()
	d.Int("expires", exp)
	d.String("hash", sum)
	return normalized, d.err
}

// visitorJSON returns the complete signed object for v at r.Now, and
// whether a value lost characters to the account's charset.
func (w *Webim) visitorJSON(r Request, v Visitor) ([]byte, bool, error) {
	var d Data
	d.Reset(nil)
	normalized, err := w.appendVisitor(&d, r, v, false)
	if err != nil {
		return nil, normalized, err
	}
	b, err := d.Bytes()
	return b, normalized, err
}
