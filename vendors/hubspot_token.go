package vendors

import (
	"bytes"
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The reasons a page gets HubSpot's anonymous widget although its visitor
// has an e-mail. They are metric label values: fixed and few.
const (
	HubSpotReasonTimeout     = "timeout"      // no answer within Timeout
	HubSpotReasonForbidden   = "forbidden"    // 403: plan or scope
	HubSpotReasonRejected    = "rejected"     // another 4xx (401: bad Token; 429: rate limit)
	HubSpotReasonServerError = "server_error" // 5xx
	HubSpotReasonBadResponse = "bad_response" // not 200 {"token": "<non-empty>"}, or a redirect
	HubSpotReasonNetwork     = "network"      // the call failed before an answer
	HubSpotReasonCircuitOpen = "circuit_open" // not called: a call failed less than RetryAfter ago
)

// hubSpotReasons is every reason, in a fixed order: the index of a
// reason's counter.
var hubSpotReasons = [...]string{
	HubSpotReasonTimeout, HubSpotReasonForbidden, HubSpotReasonRejected, HubSpotReasonServerError,
	HubSpotReasonBadResponse, HubSpotReasonNetwork, HubSpotReasonCircuitOpen,
}

// HubSpotReasons returns every reason a HubSpot page falls back to the
// anonymous widget, in a fixed order, for metric series.
func HubSpotReasons() []string {
	return append([]string(nil), hubSpotReasons[:]...)
}

// hubSpotTokenPath is the visitor identification endpoint under APIBase.
const hubSpotTokenPath = "/visitor-identification/v3/tokens/create"

// hubSpotMaxBody bounds how much of an answer is read: a token answer is
// well under a kilobyte.
const hubSpotMaxBody = 64 << 10

// hubSpotTokens fetches, caches and shares visitor identification tokens.
type hubSpotTokens struct {
	url        string
	auth       string // "Bearer <Token>"
	client     *http.Client
	budget     time.Duration
	ttl        time.Duration
	size       int
	retryAfter time.Duration
	log        *slog.Logger
	now        func() time.Time // time.Now; tests move it

	mu        sync.Mutex
	entries   map[string]*list.Element // body → element of lru holding *hubSpotEntry
	lru       list.List                // most recently used first
	inflight  map[string]*hubSpotCall
	openUntil time.Time // no calls before this, after a failure

	failures [len(hubSpotReasons)]atomic.Uint64 // by index in hubSpotReasons
	logged   [len(hubSpotReasons)]atomic.Bool
	calls    atomic.Uint64 // API calls made
}

type hubSpotEntry struct {
	key     string
	token   string
	expires time.Time
}

// hubSpotCall is one API call that every page of the same visitor waits on.
type hubSpotCall struct {
	done   chan struct{}
	token  string
	reason string // "" on success
}

func newHubSpotTokens(h *HubSpot) *hubSpotTokens {
	t := &hubSpotTokens{
		url:        strings.TrimRight(h.APIBase, "/") + hubSpotTokenPath,
		auth:       "Bearer " + string(h.Token),
		client:     h.Client,
		budget:     h.Timeout,
		ttl:        h.CacheTTL,
		size:       h.CacheSize,
		retryAfter: h.RetryAfter,
		log:        h.Logger,
		now:        time.Now,
		entries:    map[string]*list.Element{},
		inflight:   map[string]*hubSpotCall{},
	}
	if h.APIBase == "" {
		t.url = HubSpotAPIBase + hubSpotTokenPath
	}
	if t.client == nil {
		// The API answers directly; a redirect is an error, not a place to
		// send the token to.
		t.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if t.budget == 0 {
		t.budget = hubSpotDefaultTimeout
	}
	if t.ttl == 0 {
		t.ttl = hubSpotMaxCacheTTL
	}
	if t.size == 0 {
		t.size = hubSpotDefaultCacheSize
	}
	if t.retryAfter == 0 {
		t.retryAfter = hubSpotDefaultRetryAfter
	}
	if t.log == nil {
		t.log = slog.Default()
	}
	return t
}

// hubSpotRequest is the API's request body. Its JSON encoding is also the
// cache key: two visitors share a token only if HubSpot would be asked the
// very same thing.
type hubSpotRequest struct {
	Email     string `json:"email"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
}

// token returns the visitor's token from the cache or the API, waiting at
// most the budget, or, when the page gets the anonymous widget, the reason
// (one of HubSpotReasons), which has then been counted.
func (t *hubSpotTokens) token(ctx context.Context, email, first, last string) (tok, reason string) {
	body, err := json.Marshal(hubSpotRequest{Email: email, FirstName: first, LastName: last})
	if err != nil { // cannot happen for strings; no token rather than a panic
		return "", t.fail(HubSpotReasonBadResponse)
	}
	key := string(body)
	now := t.now()

	t.mu.Lock()
	if e, hit := t.entries[key]; hit {
		ent := e.Value.(*hubSpotEntry)
		if now.Before(ent.expires) {
			t.lru.MoveToFront(e)
			t.mu.Unlock()
			return ent.token, ""
		}
		t.lru.Remove(e)
		delete(t.entries, key)
	}
	c := t.inflight[key]
	if c == nil {
		if now.Before(t.openUntil) {
			t.mu.Unlock()
			return "", t.fail(HubSpotReasonCircuitOpen)
		}
		c = &hubSpotCall{done: make(chan struct{})}
		t.inflight[key] = c
		// The call outlives this page if the page stops waiting, so that
		// the other pages waiting on it still get its answer, but never
		// the budget; it keeps ctx's values, not its cancellation.
		go t.fetch(context.WithoutCancel(ctx), key, body, c)
	}
	t.mu.Unlock()

	timer := time.NewTimer(t.budget)
	defer timer.Stop()
	select {
	case <-c.done:
		if c.reason != "" {
			return "", t.fail(c.reason)
		}
		return c.token, ""
	case <-timer.C:
		return "", t.fail(HubSpotReasonTimeout)
	case <-ctx.Done():
		return "", t.fail(HubSpotReasonTimeout)
	}
}

// fetch makes the API call for key, caches a token, opens the circuit on
// a failure, and releases the pages waiting on c.
func (t *hubSpotTokens) fetch(ctx context.Context, key string, body []byte, c *hubSpotCall) {
	ctx, cancel := context.WithTimeout(ctx, t.budget)
	defer cancel()
	tok, reason, status := t.call(ctx, body)
	c.token, c.reason = tok, reason

	t.mu.Lock()
	delete(t.inflight, key)
	if reason == "" {
		t.put(key, tok)
	} else {
		t.openUntil = t.now().Add(t.retryAfter)
	}
	t.mu.Unlock()
	if reason != "" {
		t.logOnce(reason, status)
	}
	close(c.done)
}

// put caches tok under key; t.mu is held.
func (t *hubSpotTokens) put(key, tok string) {
	for len(t.entries) >= t.size {
		oldest := t.lru.Back()
		t.lru.Remove(oldest)
		delete(t.entries, oldest.Value.(*hubSpotEntry).key)
	}
	t.entries[key] = t.lru.PushFront(&hubSpotEntry{key: key, token: tok, expires: t.now().Add(t.ttl)})
}

// call makes one API call and returns the token, or the failure reason and
// the HTTP status (0 when there was no answer).
func (t *hubSpotTokens) call(ctx context.Context, body []byte) (tok, reason string, status int) {
	t.calls.Add(1)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return "", HubSpotReasonNetwork, 0
	}
	req.Header.Set("Authorization", t.auth)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := t.client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return "", HubSpotReasonTimeout, 0
		}
		return "", HubSpotReasonNetwork, 0
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, hubSpotMaxBody))
	switch {
	case resp.StatusCode == http.StatusForbidden:
		return "", HubSpotReasonForbidden, resp.StatusCode
	case resp.StatusCode >= 500:
		return "", HubSpotReasonServerError, resp.StatusCode
	case resp.StatusCode >= 400:
		return "", HubSpotReasonRejected, resp.StatusCode
	case resp.StatusCode != http.StatusOK:
		return "", HubSpotReasonBadResponse, resp.StatusCode
	case err != nil:
		if ctx.Err() != nil {
			return "", HubSpotReasonTimeout, resp.StatusCode
		}
		return "", HubSpotReasonNetwork, resp.StatusCode
	}
	var answer struct {
		Token string `json:"token"`
	}
	if json.Unmarshal(data, &answer) != nil || answer.Token == "" || len(answer.Token) > 4096 {
		return "", HubSpotReasonBadResponse, resp.StatusCode
	}
	return answer.Token, "", resp.StatusCode
}

// fail counts one page that got the anonymous widget for reason, and
// returns reason.
func (t *hubSpotTokens) fail(reason string) string {
	for i, r := range hubSpotReasons {
		if r == reason {
			t.failures[i].Add(1)
			break
		}
	}
	return reason
}

// logOnce logs the first API failure of each cause, with what to check and
// no visitor value.
func (t *hubSpotTokens) logOnce(reason string, status int) {
	for i, r := range hubSpotReasons {
		if r != reason || t.logged[i].Swap(true) {
			continue
		}
		hint := "pages get the anonymous widget while the call fails"
		switch reason {
		case HubSpotReasonForbidden:
			hint = "visitor identification needs a Professional or Enterprise plan and a private app with scope conversations.visitor_identification.tokens.create"
		case HubSpotReasonRejected:
			hint = "check the private app token (401) or the API rate limit (429)"
		case HubSpotReasonTimeout:
			hint = "HubSpot did not answer within the timeout; raise HubSpot.Timeout only if pages may wait longer"
		}
		t.log.Warn("chatident: hubspot visitor identification failed; logged once per cause",
			slog.String("reason", reason), slog.Int("status", status), slog.String("hint", hint),
			slog.Duration("retry_after", t.retryAfter))
	}
}

// failureCounts returns how many pages got the anonymous widget, by reason.
func (t *hubSpotTokens) failureCounts() map[string]uint64 {
	m := make(map[string]uint64, len(hubSpotReasons))
	for i, r := range hubSpotReasons {
		m[r] = t.failures[i].Load()
	}
	return m
}
