package vendors

import (
	"errors"
	"net/http"
	"time"
)

// maxTimerDelay is the longest delay setTimeout honours (2^31-1 ms, about 24.8
// days); a longer one fires at once, which would make the refresher spin.
const maxTimerDelay = 1<<31 - 1

// retryDelay is how soon the refresher tries again after a failed fetch.
const retryDelay = time.Minute

// Endpoints returns the refresh endpoint, or none when DisableRefresh is set.
//
// refresh answers GET with the visitor's freshly signed object as JSON (the
// same object as window.webim_visitor), with Cache-Control: no-store. An
// anonymous request gets 401 and a JSON error; another method gets 405; a
// request marked Sec-Fetch-Site: cross-site gets 403, since only the site's
// own pages need the object.
func (w *Webim) Endpoints() []Endpoint {
	if w.DisableRefresh {
		return nil
	}
	return []Endpoint{{Path: "refresh", Serve: w.serveRefresh}}
}

func (w *Webim) serveRefresh(rw http.ResponseWriter, r Request, v *Visitor) EndpointResult {
	if res, ok := gate(rw, r.HTTP, nil); !ok {
		return res
	}
	if v == nil {
		return refuse(rw, http.StatusUnauthorized, ReasonAnonymous)
	}
	if !w.macs.ready() && w.Validate() != nil {
		// Used without Prepare: never sign with a key no one checked.
		return refuse(rw, http.StatusInternalServerError, ReasonError)
	}
	body, _, err := w.visitorJSON(r, *v)
	if errors.Is(err, ErrWebimAmbiguous) {
		// The page got the anonymous code; its refresher, if an older
		// page has one, stops on 401.
		return refuse(rw, http.StatusUnauthorized, ReasonDeclined)
	}
	if err != nil {
		return refuse(rw, http.StatusInternalServerError, ReasonError)
	}
	writeJSON(rw, http.StatusOK, body)
	return EndpointResult{Issued: true}
}

// refreshDelay is how long after the page is served the refresher fetches a
// new object: a tenth of TTL before expiry, at most five minutes before.
// The delay is relative, so the browser's clock does not matter.
func (w *Webim) refreshDelay() time.Duration {
	ttl := w.ttl()
	return ttl - min(ttl/10, 5*time.Minute)
}

// appendRefresher writes the in-page refresher: a timer that fetches the
// refresh endpoint u (on the page's own origin, see script.url) with the
// visitor's cookies shortly before expiry, swaps
// window.webim_visitor and tells Webim the visitor object changed. It re-arms
// itself after each success, retries a failed fetch a minute later, and
// stops on 401: the visitor has signed out, and the next page they load
// carries the reset.
func (w *Webim) appendRefresher(s *script, u string) {
	delay := min(w.refreshDelay().Milliseconds(), maxTimerDelay)
	retry := min(retryDelay.Milliseconds(), delay)
	s.code(`(function(w){var u=`).url(u).code(`,n=`).int(delay).code(`,e=`).int(retry).
		code(`;function t(ms){w.setTimeout(f,ms)}` +
			`function f(){w.fetch(u,{credentials:"include",headers:{"Accept":"application/json"}}).then(function(r){` +
			`if(r.status===401){return}` +
			`if(!r.ok){throw new Error("webim refresh: HTTP "+r.status)}` +
			`return r.json().then(function(o){w.webim_visitor=o;` +
			`if(w.webim&&w.webim.api&&typeof w.webim.api.onProvidedVisitorChanged==="function"){w.webim.api.onProvidedVisitorChanged()}` +
			`t(n)})})["catch"](function(){t(e)})}` +
			`if(w.fetch&&w.setTimeout){t(n)}})(window);` + "\n")
}
