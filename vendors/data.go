package vendors

import (
	"errors"
	"strconv"
)

// Data is the JSON object a vendor writes its per-visitor values into. Every
// key and value goes through this package's encoder (see AppendJS), so the
// result is ASCII-only JSON that is also safe inside HTML; the page reads it
// back with JSON.parse. The middleware hands a vendor a Data positioned
// inside the page's document; a vendor writes fields and never keeps d.
//
// Writing is append-only and never fails half way: the first encoding error
// sticks and fails the vendor for this request.
type Data struct {
	b     []byte
	depth int
	more  uint64 // bit i: the object at depth i has a field already
	err   error
}

var errDataDepth = errors.New("vendors: Data objects nested too deeply or closed too often")

// Reset starts a new object at the end of dst.
func (d *Data) Reset(dst []byte) {
	*d = Data{b: append(dst, '{')}
}

// Bytes closes the object and returns dst with it appended, or the first
// error met while writing.
func (d *Data) Bytes() ([]byte, error) {
	if d.err == nil && d.depth != 0 {
		d.err = errDataDepth
	}
	if d.err != nil {
		return nil, d.err
	}
	return append(d.b, '}'), nil
}

// key writes the separator and key of the next field.
func (d *Data) key(k string) {
	if d.more&(1<<d.depth) != 0 {
		d.b = append(d.b, ',')
	}
	d.more |= 1 << d.depth
	d.b = appendJSString(d.b, k)
	d.b = append(d.b, ':')
}

// String writes a string field.
func (d *Data) String(key, value string) {
	if d.err != nil {
		return
	}
	d.key(key)
	d.b = appendJSString(d.b, value)
}

// Int writes an integer field; integers beyond JavaScript's safe range are
// an error.
func (d *Data) Int(key string, n int64) {
	if d.err != nil {
		return
	}
	if n > maxSafeInteger || n < -maxSafeInteger {
		d.err = errors.New("vendors: integer " + strconv.FormatInt(n, 10) + " is outside JavaScript's safe range")
		return
	}
	d.key(key)
	d.b = strconv.AppendInt(d.b, n, 10)
}

// Bool writes a boolean field.
func (d *Data) Bool(key string, v bool) {
	if d.err != nil {
		return
	}
	d.key(key)
	d.b = strconv.AppendBool(d.b, v)
}

// Value writes any value AppendJS supports.
func (d *Data) Value(key string, v any) {
	if d.err != nil {
		return
	}
	mark := len(d.b)
	d.key(key)
	var err error
	if d.b, err = AppendJS(d.b, v); err != nil {
		d.b, d.err = d.b[:mark], err
	}
}

// Object opens a nested object field; End closes it.
func (d *Data) Object(key string) {
	if d.err != nil {
		return
	}
	if d.depth+1 >= maxDepth {
		d.err = errDataDepth
		return
	}
	d.key(key)
	d.b = append(d.b, '{')
	d.depth++
	d.more &^= 1 << d.depth
}

// End closes the object Object opened.
func (d *Data) End() {
	if d.err != nil {
		return
	}
	if d.depth == 0 {
		d.err = errDataDepth
		return
	}
	d.b = append(d.b, '}')
	d.depth--
}
