package vendors

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Field is one property of an Object.
type Field struct {
	Key   string // written as an encoded string literal
	Value any    // any value AppendJS supports
}

// Object is a JavaScript object literal whose properties are written in the
// order given. Use it where key order matters to a reader or to a signature;
// maps are written with their keys sorted instead.
type Object []Field

// maxDepth bounds nesting so that a value that contains itself (a []any
// holding its own backing array) is an error instead of a stack overflow.
const maxDepth = 32

// maxSafeInteger is Number.MAX_SAFE_INTEGER: integers beyond it are rounded by
// JavaScript, which would silently change an id or a timestamp.
const maxSafeInteger = 1<<53 - 1

var errTooDeep = errors.New("vendors: value nested too deeply to encode as JavaScript")

// AppendJS appends the JavaScript literal for v to dst and returns the
// extended slice. The literal is safe to place anywhere an expression may
// appear inside an HTML <script> element, and it is also valid JSON.
//
// Supported values: nil (null), string, bool, every integer type, float32
// and float64 (finite only), []string, []any, map[string]string,
// map[string]any (keys sorted, so output is deterministic) and Object (keys
// in the given order). Nil slices and maps are written as [] and {}.
// Anything else, a non-finite float or an integer outside JavaScript's safe
// range (±(2^53-1)) is an error, and dst is returned unchanged.
//
// Strings, and object keys, are written as double-quoted literals containing
// only printable ASCII: every non-ASCII character becomes \uXXXX (a surrogate
// pair for characters outside the Basic Multilingual Plane), and <, >, &, ',
// ", backslash, control characters, U+2028 and U+2029 are escaped. The output
// therefore never contains "</script", "<!--", "-->" or "]]>" and reads the
// same in a page of any ASCII-compatible charset.
//
// Invalid UTF-8 is not an error: each byte that does not start a valid UTF-8
// sequence becomes U+FFFD, the replacement character, exactly as Go's
// for-range over a string decodes it. Vendors that sign a value therefore
// sign the U+FFFD form, which is what the browser sees.
func AppendJS(dst []byte, v any) ([]byte, error) {
	out, err := appendJS(dst, v, 0)
	if err != nil {
		return dst, err
	}
	return out, nil
}

// JSString returns s as a double-quoted JavaScript string literal, escaped as
// described at AppendJS. It never fails.
func JSString(s string) []byte {
	return appendJSString(make([]byte, 0, len(s)+2), s)
}

func appendJS(dst []byte, v any, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, errTooDeep
	}
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendJSString(dst, x), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int:
		return appendInt(dst, int64(x))
	case int8:
		return appendInt(dst, int64(x))
	case int16:
		return appendInt(dst, int64(x))
	case int32:
		return appendInt(dst, int64(x))
	case int64:
		return appendInt(dst, x)
	case uint:
		return appendUint(dst, uint64(x))
	case uint8:
		return appendUint(dst, uint64(x))
	case uint16:
		return appendUint(dst, uint64(x))
	case uint32:
		return appendUint(dst, uint64(x))
	case uint64:
		return appendUint(dst, x)
	case uintptr:
		return appendUint(dst, uint64(x))
	case float32:
		return appendFloat(dst, float64(x), 32)
	case float64:
		return appendFloat(dst, x, 64)
	case []string:
		dst = append(dst, '[')
		for i, s := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSString(dst, s)
		}
		return append(dst, ']'), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendJS(dst, e, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case map[string]string:
		dst = append(dst, '{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSString(dst, k)
			dst = append(dst, ':')
			dst = appendJSString(dst, x[k])
		}
		return append(dst, '}'), nil
	case map[string]any:
		dst = append(dst, '{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSString(dst, k)
			dst = append(dst, ':')
			var err error
			if dst, err = appendJS(dst, x[k], depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	case Object:
		dst = append(dst, '{')
		for i, f := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSString(dst, f.Key)
			dst = append(dst, ':')
			var err error
			if dst, err = appendJS(dst, f.Value, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	default:
		return dst, fmt.Errorf("vendors: cannot encode a %T as JavaScript", v)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func appendInt(dst []byte, n int64) ([]byte, error) {
	if n > maxSafeInteger || n < -maxSafeInteger {
		return dst, fmt.Errorf("vendors: integer %d is outside JavaScript's safe range", n)
	}
	return strconv.AppendInt(dst, n, 10), nil
}

func appendUint(dst []byte, n uint64) ([]byte, error) {
	if n > maxSafeInteger {
		return dst, fmt.Errorf("vendors: integer %d is outside JavaScript's safe range", n)
	}
	return strconv.AppendUint(dst, n, 10), nil
}

func appendFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, fmt.Errorf("vendors: %v has no JSON form", f)
	}
	// 'g' with the shortest representation yields forms such as 1e+21 that
	// JavaScript and JSON both read back as the same number.
	return strconv.AppendFloat(dst, f, 'g', -1, bits), nil
}

// jsSafe marks the ASCII bytes written unescaped: printable characters other
// than those that could end a string literal or start or end HTML markup.
var jsSafe = func() (t [256]bool) { // bytes from 0x80 up are false
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range `"'\<>&` {
		t[c] = false
	}
	return t
}()

const hexDigits = "0123456789abcdef"

func appendJSString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// The usual value (an id, a hex signature, a name in ASCII) is one
		// run of bytes written as they are, found one table look-up a byte.
		for i < len(s) && jsSafe[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		dst = append(dst, s[start:i]...)
		if c := s[i]; c < utf8.RuneSelf {
			switch c {
			case '\\':
				dst = append(dst, `\\`...)
			case '\n':
				dst = append(dst, `\n`...)
			case '\r':
				dst = append(dst, `\r`...)
			case '\t':
				dst = append(dst, `\t`...)
			default:
				dst = appendU(dst, rune(c))
			}
			i++
		} else {
			// An invalid sequence decodes as (RuneError, 1): one U+FFFD per bad byte.
			r, size := utf8.DecodeRuneInString(s[i:])
			if r >= 0x10000 {
				hi, lo := utf16.EncodeRune(r)
				dst = appendU(dst, hi)
				dst = appendU(dst, lo)
			} else {
				dst = appendU(dst, r)
			}
			i += size
		}
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendU writes r (at most 0xFFFF) as a \uXXXX escape.
func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u',
		hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
