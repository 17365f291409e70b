package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// signIn signs in users users on s as a browser would: POST /login, then
// the first page, which on the wrapped side also sets chatident's sign-out
// marker. It keeps each user's cookies, as their browser would send them.
func (s *server) signIn(ctx context.Context, users int) error {
	s.cookies = make([][]string, users)
	for i := range users {
		jar := map[string]string{}
		form := url.Values{
			"user_id": {fmt.Sprintf("load-user-%04d", i)},
			"name":    {fmt.Sprintf("Load User %d", i)},
			"email":   {fmt.Sprintf("load-user-%04d@example.com", i)},
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/login", strings.NewReader(form.Encode()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, _, err := s.fetch(req)
		if err != nil {
			return fmt.Errorf("%s: signing in user %d: %w", s.Name, i, err)
		}
		if resp.StatusCode != http.StatusSeeOther {
			return fmt.Errorf("%s: signing in user %d: status %d, want 303", s.Name, i, resp.StatusCode)
		}
		keep(jar, resp)
		if len(jar) == 0 {
			return fmt.Errorf("%s: signing in user %d set no cookie", s.Name, i)
		}

		req, err = http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/", nil)
		if err != nil {
			return err
		}
		req.Header["Cookie"] = cookieHeader(jar)
		resp, body, err := s.fetch(req)
		if err != nil {
			return fmt.Errorf("%s: user %d's first page: %w", s.Name, i, err)
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: user %d's first page: status %d", s.Name, i, resp.StatusCode)
		}
		// Only the site's own greeting: whether chatident identified the
		// visitor is what the load checks, page after page.
		if !bytes.Contains(body, []byte(signedInMark)) {
			return fmt.Errorf("%s: user %d's first page does not show them signed in", s.Name, i)
		}
		keep(jar, resp)
		s.cookies[i] = cookieHeader(jar)
	}
	return nil
}

// fetch sends one request on s's transport and reads the whole body.
func (s *server) fetch(req *http.Request) (*http.Response, []byte, error) {
	resp, err := s.rt.RoundTrip(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// keep updates jar with the cookies resp sets or deletes.
func keep(jar map[string]string, resp *http.Response) {
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 {
			delete(jar, c.Name)
		} else {
			jar[c.Name] = c.Value
		}
	}
}

// cookieHeader is jar as one Cookie header, in a fixed order.
func cookieHeader(jar map[string]string) []string {
	var pairs []string
	for _, name := range slices.Sorted(maps.Keys(jar)) {
		pairs = append(pairs, name+"="+jar[name])
	}
	return []string{strings.Join(pairs, "; ")}
}

// The page's signs of a signed-in visitor: the demo's own greeting, and
// the signed Webim object only chatident puts in its page data.
const (
	signedInMark = "Signed in as <strong>"
	webimMark    = `"webim":{"mode":"identify","data":{"visitor":{`
)

// checkPage says what is wrong with a page of s for a signed-in visitor or
// an anonymous one, or "" when it is right.
func (s *server) checkPage(body []byte, identified bool) string {
	signed := bytes.Contains(body, []byte(signedInMark))
	webim := bytes.Contains(body, []byte(webimMark))
	switch {
	case identified && !signed:
		return "a signed-in visitor's page does not show them signed in"
	case !identified && signed:
		return "an anonymous visitor's page shows someone signed in"
	case identified && s.Injects && !webim:
		return "a signed-in visitor's page has no webim_visitor object"
	case webim && !(identified && s.Injects):
		return "the page has a webim_visitor object it should not have"
	}
	return ""
}
