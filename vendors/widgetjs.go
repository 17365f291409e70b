package vendors

// The widgets added after the first four (Intercom, Crisp, Tawk.to,
// Chatwoot, Help Scout, Front, Drift, HubSpot) each own constant JavaScript:
// an object with four functions, identify(w,c,v), anonymous(w,c), reset(w,c)
// and update(w,c,v), where w is the window, c the vendor's configuration
// data (the same on every page) and v the visitor's data (plain JSON values
// built in Go and written by the encoder). No value is ever concatenated
// into the code, so the code is the same on every response and for every
// visitor.
//
// The fragments below are shared by those objects. They are Go constants,
// joined into each vendor's code at compile time.

// jsLoad is a function L(d, src, onload) that adds an asynchronous
// <script src> to the document unless one with the same resolved src is
// there already, in which case it does nothing (the page installs the widget
// itself) and returns false. onload, when given, runs when the script has
// loaded.
const jsLoad jsCode = `function(d,src,onload){var e=d.createElement("script");e.async=true;e.src=src;` +
	`var l=d.getElementsByTagName("script");for(var i=0;i<l.length;i++){if(l[i].src===e.src){return false}}` +
	`if(onload){e.onload=onload}(d.head||d.documentElement).appendChild(e);return true}`

// jsReady is a function R(w, present, f) that calls f once present() is
// true: at once when it already is, else when the window's load event fires
// (every async script added while the page was parsed has run by then).
// When the API never appears nothing happens.
const jsReady jsCode = `function(w,present,f){if(present()){f();return}` +
	`if(w.addEventListener){w.addEventListener("load",function(){if(present()){f()}})}}`

// jsOwn is a function O(o, k) that reports whether k is o's own property,
// so that a page's Object.prototype never adds settings.
const jsOwn jsCode = `function(o,k){return Object.prototype.hasOwnProperty.call(o,k)}`
