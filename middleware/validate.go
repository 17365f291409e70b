package middleware

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/vendors"
)

// validate checks cfg, prepares each vendor and returns the vendors with
// their names, code and endpoints, and the page script. Every problem is
// reported, joined, each with a message that names the vendor (index and
// Name()) or source and the field at fault.
func validate(cfg Config, prefix, mount string, memo int) ([]vendorEntry, []byte, error) {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("chatident: "+format, args...))
	}

	if len(cfg.Vendors) == 0 {
		fail("Config.Vendors is empty")
	}
	var keys []namedKey // every key, compared once all are known
	addKeys := func(where string, held func() []vendors.Key) {
		nk, err := heldKeys(where, held)
		if err != nil {
			fail("%w", err)
		}
		keys = append(keys, nk...)
	}
	entries := make([]vendorEntry, 0, len(cfg.Vendors))
	seen := make(map[string]int, len(cfg.Vendors))
	for i, v := range cfg.Vendors {
		if isNil(v) {
			fail("Config.Vendors[%d] is nil", i)
			continue
		}
		name, err := vendorName(v)
		if err != nil {
			fail("Config.Vendors[%d] (%T): Name() %w", i, v, err)
			continue
		}
		where := fmt.Sprintf("Config.Vendors[%d] (%s)", i, name)
		if !vendors.ValidName(name) {
			fail("Config.Vendors[%d]: Name() %q does not match [a-z0-9_]+", i, name)
			continue
		}
		if j, dup := seen[name]; dup {
			fail("%s: Name() %q is already used by Config.Vendors[%d]", where, name, j)
			continue
		}
		seen[name] = i
		route := prefix + name + "/"
		base := mount + route // what pages fetch
		script, err := prepareVendor(v, vendors.Setup{Endpoints: base, MemoSize: memo})
		for _, err := range split(err) {
			var ce *vendors.ConfigError
			if errors.As(err, &ce) && ce.Vendor == name {
				// Its message starts with the name already.
				fail("Config.Vendors[%d]: %w", i, err)
			} else {
				fail("%s: %w", where, err)
			}
		}
		if kh, ok := v.(vendors.KeyHolder); ok {
			addKeys(where, kh.Keys)
		}
		var eps []vendors.Endpoint
		if p, ok := v.(vendors.EndpointProvider); ok {
			if err := call(func() error { eps = p.Endpoints(); return nil }); err != nil {
				fail("%s: Endpoints() %w", where, err)
			}
			for _, err := range checkEndpoints(eps) {
				fail("%s: %w", where, err)
			}
		}
		anon, _ := v.(vendors.AnonymousData)
		entries = append(entries, vendorEntry{v: v, anon: anon, name: name, key: `"` + name + `":{`,
			route: route, base: base, script: script, endpoints: eps})
	}

	if inject.CheckOptions(inject.At(cfg.Placement)) != nil {
		fail("Config.Placement %d is not an inject.Placement constant", int(cfg.Placement))
	}
	if err := inject.CheckOptions(cfg.Inject...); err != nil {
		fail("Config.Inject: %w", err)
	}
	if cfg.EndpointPrefix != "" {
		if err := checkPrefix(cfg.EndpointPrefix); err != nil {
			fail("Config.EndpointPrefix %q %w", cfg.EndpointPrefix, err)
		}
	}
	if p := cfg.MountPath; p != "" {
		if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
			fail(`Config.MountPath %q must start with "/" and not end with one`, p)
		} else if err := checkPath(p[1:]); err != nil {
			fail("Config.MountPath %q %w", p, err)
		}
	}
	if !cfg.SignOut.Disabled {
		if n := len(cfg.SignOut.HashKey); n > 0 && n < 32 {
			fail("Config.SignOut.HashKey is %d bytes, want at least 32 (or nil for a random key)", n)
		}
		if name := cfg.SignOut.CookieName; name != "" && !validCookieName(name) {
			fail("Config.SignOut.CookieName %q is not a valid cookie name", name)
		}
		if len(cfg.SignOut.PreviousHashKeys) > 0 && len(cfg.SignOut.HashKey) == 0 {
			fail("Config.SignOut.PreviousHashKeys is set without HashKey, the key that replaces them")
		}
		for i, k := range cfg.SignOut.PreviousHashKeys {
			if len(k) < 32 {
				fail("Config.SignOut.PreviousHashKeys[%d] is %d bytes, want at least 32", i, len(k))
			}
		}
		if cfg.SignOut.Secure > SecureByForwardedProto {
			fail("Config.SignOut.Secure %d is not a SecureMode constant", cfg.SignOut.Secure)
		}
	}
	for i, s := range cfg.Sources {
		if isNil(s) {
			fail("Config.Sources[%d] is nil", i)
			continue
		}
		if val, ok := s.(vendors.Validator); ok {
			for _, err := range split(call(val.Validate)) {
				fail("Config.Sources[%d] (%T): %w", i, s, err)
			}
		}
		if kh, ok := s.(keyHolder); ok {
			addKeys(fmt.Sprintf("Config.Sources[%d] (%T)", i, s), kh.secretKeys)
		}
	}
	for _, err := range checkDistinctKeys(append(keys, signOutKeys(cfg.SignOut)...)) {
		fail("%w", err)
	}
	switch {
	case cfg.WithoutConsent > ConsentNothing:
		fail("Config.WithoutConsent is %d, not ConsentAnonymous or ConsentNothing", cfg.WithoutConsent)
	case cfg.WithoutConsent != ConsentAnonymous && cfg.Consent == nil:
		fail("Config.WithoutConsent is set but Config.Consent is nil, so consent is never asked for")
	}
	if cfg.Observer != nil && isNil(cfg.Observer) {
		fail("Config.Observer is a nil %T", cfg.Observer)
	}
	if len(errs) == 0 {
		code, err := buildRuntime(entries, mount+prefix+identityPath)
		if err != nil {
			return nil, nil, err
		}
		return entries, code, nil
	}
	return nil, nil, errors.Join(errs...)
}

// checkEndpoints checks one vendor's endpoints.
func checkEndpoints(eps []vendors.Endpoint) []error {
	var errs []error
	paths := make(map[string]int, len(eps))
	for j, ep := range eps {
		if ep.Serve == nil {
			errs = append(errs, fmt.Errorf("Endpoints()[%d].Serve is nil", j))
		}
		if err := checkPath(ep.Path); err != nil {
			errs = append(errs, fmt.Errorf("Endpoints()[%d].Path %q %w", j, ep.Path, err))
			continue
		}
		if k, dup := paths[ep.Path]; dup {
			errs = append(errs, fmt.Errorf("Endpoints()[%d].Path %q is already used by Endpoints()[%d]", j, ep.Path, k))
			continue
		}
		paths[ep.Path] = j
	}
	return errs
}

// checkPrefix checks an endpoint prefix: an absolute path of at least one
// segment, ending in "/". A bare "/" would reserve every path of the site.
func checkPrefix(p string) error {
	if !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") || p == "/" {
		return errors.New(`must start and end with "/" and have a segment between`)
	}
	return checkPath(p[1 : len(p)-1])
}

// checkPath checks a relative URL path: no empty or dot-dot segment (a
// browser would normalise it away, so it could never be requested as
// written), only characters that need no escaping in a URL path.
func checkPath(p string) error {
	if p == "" {
		return errors.New("is empty")
	}
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "":
			return errors.New(`has an empty segment ("//" or a leading or trailing "/")`)
		case ".", "..":
			return errors.New(`has a "." or ".." segment`)
		}
	}
	for i := 0; i < len(p); i++ {
		if !pathChar(p[i]) {
			return fmt.Errorf("has %q, which is not a URL path character", p[i])
		}
	}
	return nil
}

// pathChar reports whether c may appear unescaped in a URL path segment
// (RFC 3986 pchar without percent-encoding) or is "/".
func pathChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0
}

// split returns the errors an errors.Join holds, or err alone, so that each
// gets its own prefixed line.
func split(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// vendorName calls v.Name(), turning a panic into an error.
func vendorName(v vendors.Vendor) (name string, err error) {
	err = call(func() error { name = v.Name(); return nil })
	return name, err
}

// call runs f, turning a panic into an error, so that New reports a broken
// vendor or source rather than crashing the program that configures it.
func call(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panicked: %v", p)
		}
	}()
	return f()
}

// isNil reports whether x is nil or an interface holding a nil pointer, map,
// func, slice or channel, whose methods would likely panic.
func isNil(x any) bool {
	if x == nil {
		return true
	}
	switch v := reflect.ValueOf(x); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Func, reflect.Slice, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}
