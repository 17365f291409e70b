package vendors

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// webimFields returns v's Webim fields in field-name order, which is both the
// signing order and the order they are written in. Empty values are left
// out. Values are in the form the browser will see (invalid UTF-8 replaced,
// see AppendJS; characters the account's charset cannot hold replaced by
// '?', see WebimCharset), so that Webim checks the hash over what it
// receives. normalized reports whether any value lost characters to the
// charset.
//
// Unless RawID is set, the fields are shaped so that no re-cut of the signed
// string reads as another visitor (see webimUnambiguous): id is the opaque
// webimIDPrefix form, login is wrapped in "[[" and "]]", and a value that
// would put a digit right before expires is followed by profile_url.
func (w *Webim) webimFields(v Visitor) (fields Object, normalized bool, err error) {
	if v.ID == "" {
		return nil, false, ErrNoVisitorID
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
	// Plain strings here, boxed into Field values once, below.
	all := [...]webimValue{ // sorted by key
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
			all[6].value = webimWrapLogin(all[6].value)
		}
		all[8].value = webimGuardEnd(all[:8], all[8].value)
	}
	fields = make(Object, 0, len(all))
	for _, f := range all {
		if f.value != "" {
			fields = append(fields, Field{f.key, f.value})
		}
	}
	return fields, normalized, nil
}

// webimValue is one field before it is boxed into a Field.
type webimValue struct{ key, value string }

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
func webimSignedString(fields Object, expires int64) string {
	return string(appendWebimSigned(nil, fields, expires))
}

// appendWebimSigned appends the signed string to dst, in UTF-8.
func appendWebimSigned(dst []byte, fields Object, expires int64) []byte {
	for _, f := range fields {
		dst = append(dst, f.Value.(string)...)
	}
	return strconv.AppendInt(dst, expires, 10)
}

// webimSign returns the hash of fields and expires under the configured
// algorithm and charset.
func (w *Webim) webimSign(fields Object, expires int64) (string, error) {
	msg, err := w.encodeSigned(fields, expires)
	if err != nil {
		return "", err
	}
	var h hash.Hash
	switch w.Hash {
	case WebimHMACSHA256:
		return w.macs.hexBytes(w.PrivateKey, msg), nil
	case WebimSHA256, WebimSHA512:
		if w.Hash == WebimSHA256 {
			h = sha256.New()
		} else {
			h = sha512.New()
		}
		h.Write(msg)
		h.Write(w.PrivateKey)
	default:
		return "", configErr(webimName, "Hash", "is not a WebimHash constant")
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// encodeSigned returns the signed string in the account's charset. Values
// were normalised to the charset already (webimFields), so encoding cannot
// fail; the error path stays for a value that bypassed that. Each value is
// encoded on its own so that an error can name the field; for these
// single-byte charsets that is the same as encoding the whole string.
func (w *Webim) encodeSigned(fields Object, expires int64) ([]byte, error) {
	var enc *encoding.Encoder
	switch w.Charset {
	case WebimUTF8:
		// Sized up front: one allocation, where a builder, the decimal
		// and the conversion to bytes would each take their own.
		n := len("-9223372036854775808")
		for _, f := range fields {
			n += len(f.Value.(string))
		}
		return appendWebimSigned(make([]byte, 0, n), fields, expires), nil
	case WebimCP1251:
		enc = charmap.Windows1251.NewEncoder()
	case WebimKOI8R:
		enc = charmap.KOI8R.NewEncoder()
	default:
		return nil, configErr(webimName, "Charset", "is not a WebimCharset constant")
	}
	var msg []byte
	for _, f := range fields {
		b, err := enc.Bytes([]byte(f.Value.(string)))
		if err != nil {
			// The value itself stays out of the message: it is personal data.
			return nil, fmt.Errorf("webim: field %s cannot be encoded in %s: %w", f.Key, w.Charset, err)
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

// visitorObject returns the complete signed object for v at r.Now, and
// whether a value lost characters to the account's charset. It returns
// ErrWebimAmbiguous, and no object, when the signed string could be re-cut
// into another visitor's object (see webimUnambiguous).
func (w *Webim) visitorObject(r Request, v Visitor) (obj Object, normalized bool, err error) {
	if err := w.Validate(); err != nil {
		return nil, false, err
	}
	fields, normalized, err := w.webimFields(v)
	if err != nil {
		return nil, false, err
	}
	expires := now(r).Add(w.ttl()).Unix()
	if !w.RawID && !webimUnambiguous(fields) {
		return nil, normalized, ErrWebimAmbiguous
	}
	sum, err := w.webimSign(fields, expires)
	if err != nil {
		return nil, false, err
	}
	return Object{{"fields", fields}, {"expires", expires}, {"hash", sum}}, normalized, nil
}
