package vendors

import (
	"errors"
	"net/url"
)

// WebimStartPage is the page a link-only chat was opened from, shown to the
// operator: its title and URL.
type WebimStartPage struct {
	Title string
	URL   string
}

// ProvidedVisitorURL returns a link to Webim's chat page,
// https://<account>.webim.ru/webim/client.php, that identifies v through the
// provided-visitor parameter: the same signed object as window.webim_visitor,
// as URL-encoded JSON. start, if not nil, adds the start-page parameter.
//
// Use it where there is no page to put a script in: e-mails, chat links in
// an app. The link carries the visitor's signed identity until it expires
// (and, see the Webim security notes, possibly after): send it only to that
// visitor.
func (w *Webim) ProvidedVisitorURL(r Request, v Visitor, account string, start *WebimStartPage) (string, error) {
	if !isDNSLabel(account) {
		return "", errors.New("webim: account is not a valid account name")
	}
	obj, err := w.VisitorJSON(r, v)
	if err != nil {
		return "", err
	}
	q := url.Values{"provided-visitor": {string(obj)}}
	if start != nil {
		page, err := AppendJS(nil, Object{{"title", start.Title}, {"url", start.URL}})
		if err != nil {
			return "", err
		}
		q.Set("start-page", string(page))
	}
	return "https://" + account + ".webim.ru/webim/client.php?" + q.Encode(), nil
}

// VisitorJSON returns v's signed visitor object as JSON, the form Webim's
// iOS and Android mobile SDKs take to identify a visitor. It is the same
// object the page script defines, written with only ASCII characters.
//
// The configuration is checked on each call (Validate); the object is signed
// at r.Now exactly.
func (w *Webim) VisitorJSON(r Request, v Visitor) ([]byte, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	b, _, err := w.visitorJSON(r, v)
	return b, err
}
