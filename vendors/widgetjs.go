package vendors

// The constant code of the widgets added after the first four (Intercom,
// Crisp, tawk.to, Chatwoot, Help Scout, Front, Drift, HubSpot) is written as
// Script bodies, function(d, w), each starting with the vendor's
// configuration as a constant object c (written by the encoder in Prepare)
// and declaring the few helpers it uses. No visitor value is part of the
// code: the page's data carries those.
//
// The helpers below are declarations shared by those bodies, joined into
// them at compile time.

// jsLoadDecl declares L(doc, src, onload): add an asynchronous <script src>
// to the document unless one with the same resolved src is there already
// (then do nothing and return false: the page installs the widget itself).
// onload, when given, runs when the script has loaded. A path (ScriptURL
// "/…") is made absolute on the page's own origin, from location.href: the
// browser would resolve it against the document's base URL, which a
// <base href> anywhere in the page can point elsewhere.
const jsLoadDecl jsCode = `function L(doc,src,onload){var e=doc.createElement("script");e.async=true;` +
	`e.src=src.charAt(0)==="/"?new URL(src,w.location.href).href:src;` +
	`var l=doc.getElementsByTagName("script");for(var i=0;i<l.length;i++){if(l[i].src===e.src){return false}}` +
	`if(onload){e.onload=onload}(doc.head||doc.documentElement).appendChild(e);return true}`

// jsReadyDecl declares R(present, f): call f once present() is true, at
// once when it already is, else when the window's load event fires (every
// async script added while the page was parsed has run by then). When the
// API never appears nothing happens.
const jsReadyDecl jsCode = `function R(present,f){if(present()){f();return}` +
	`if(w.addEventListener){w.addEventListener("load",function(){if(present()){f()}})}}`

// jsOwnDecl declares O(o, k): whether k is o's own property, so that a
// page's Object.prototype never adds settings.
const jsOwnDecl jsCode = `function O(o,k){return Object.prototype.hasOwnProperty.call(o,k)}`

// widgetBody returns one Script body: c, the vendor's configuration, then
// code. Configuration values are checked by Validate, so an encoding error
// here is a bug (script.text panics, which middleware.New reports).
func widgetBody(c Object, code ...jsCode) string {
	var s script
	s.code("var c=").value(c).code(";")
	for _, x := range code {
		s.code(x)
	}
	return s.text()
}

// dataSink is what a widget writes its visitor data into: *Data on the
// page path, an Object builder in tests.
type dataSink interface {
	String(key, value string)
	Value(key string, v any)
	Object(key string)
	End()
}
