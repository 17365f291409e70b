package vendors

import "strings"

// jsCode is a fragment of JavaScript source written by this package. Its
// methods accept only jsCode, and untyped string constants convert to it
// implicitly while string variables do not: a visitor value can reach a
// script only through script.value, that is, through the encoder. A
// conversion jsCode(x) of a variable would stand out in review.
type jsCode string

// script accumulates JavaScript from constant code fragments and encoded
// values. The first encoding error sticks; bytes returns it.
type script struct {
	b   []byte
	err error
}

// scriptCap is the buffer a script starts with, so that a script is built
// in one allocation instead of one per doubling: every anonymous and reset
// script fits, and every identify script for a typical visitor but Webim's
// (about 1.3 KiB with its refresher and loader), which grows once. A script
// that writes nothing allocates nothing.
const scriptCap = 1024

func (s *script) grow() {
	if s.b == nil {
		s.b = make([]byte, 0, scriptCap)
	}
}

// code appends a constant fragment.
func (s *script) code(c jsCode) *script {
	s.grow()
	s.b = append(s.b, c...)
	return s
}

// value appends v encoded by AppendJS.
func (s *script) value(v any) *script {
	if s.err != nil {
		return s
	}
	s.grow()
	s.b, s.err = AppendJS(s.b, v)
	return s
}

// str appends v encoded as a JavaScript string, as value(v) would, without
// boxing v into an interface (an allocation per call).
func (s *script) str(v string) *script {
	if s.err != nil {
		return s
	}
	s.grow()
	s.b = appendJSString(s.b, v)
	return s
}

// int appends n as value(n) would, without boxing it.
func (s *script) int(n int64) *script {
	if s.err != nil {
		return s
	}
	s.grow()
	s.b, s.err = appendInt(s.b, n)
	return s
}

func (s *script) bytes() ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	return s.b, nil
}

// loadScript appends a statement that adds an asynchronous <script src=url>
// to the document, unless one with that src is already there.
//
// The element goes into <head> when it exists: the default placement runs
// this right after <head>, before <body> has been parsed.
func (s *script) loadScript(url string) *script {
	// e.src reads back the URL resolved against the page, as every existing
	// element's src does, so a relative url still matches a loader the page
	// already has.
	return s.code(`(function(d){var e=d.createElement("script");e.async=true;e.src=`).url(url).
		code(`;var l=d.getElementsByTagName("script");for(var i=0;i<l.length;i++){if(l[i].src===e.src){return}}` +
			`(d.head||d.documentElement).appendChild(e)})(document);` + "\n")
}

// url appends an expression for u as an absolute URL on the page's own
// origin. A path (every relative URL this package accepts starts with "/")
// becomes new URL(u, window.location.href).href: a browser resolves a
// relative URL in fetch or in a script's src against the document's base
// URL, which a <base href> anywhere in the page, even one parsed after this
// script, points wherever it likes; location.href is the page's own
// address. An absolute URL is written as it is.
func (s *script) url(u string) *script {
	if !strings.HasPrefix(u, "/") {
		return s.str(u)
	}
	return s.code(`new URL(`).str(u).code(`,window.location.href).href`)
}

// beginReady opens a statement whose body, written next and closed by
// endReady, runs once present evaluates true: at once if it already does,
// else when the window's load event fires.
//
// A widget's API object usually appears only after the widget's own script
// has run, and this package's script runs early in <head>, so a call that
// needs the API waits for it; by the load event every script the page had,
// including async ones added while it was parsed, has run. When the API never
// appears, nothing happens.
func (s *script) beginReady(present jsCode) *script {
	return s.code(`(function(w){function f(){if(!(`).code(present).code(`)){return false}`)
}

func (s *script) endReady() *script {
	return s.code(`;return true}if(!f()&&w.addEventListener){w.addEventListener("load",function(){f()})}})(window);` + "\n")
}

// text returns the code built, for a Script field. Constant code is built
// from configuration values the vendor checked, and an encoding error there
// is a bug: it panics, which middleware.New reports as the vendor's error.
func (s *script) text() string {
	if s.err != nil {
		panic(s.err)
	}
	return string(s.b)
}
