package middleware

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/chatident/chatident/internal/faultnet"
)

// TestFaultTokenBurst puts the Zendesk token endpoint under a burst: 2,000
// requests from 64 concurrent clients on a real server, a quarter each
// signed in by session cookie, signed in by login token, anonymous, and
// cross-site (signed in, from another site's page). Every signed-in request
// must get 200 and a token that verifies with the Zendesk secret, names its
// own visitor and has a jti no other token has; every anonymous one 401;
// every cross-site one 403; no request may fail; and the observer must
// count exactly that.
func TestFaultTokenBurst(t *testing.T) {
	faultnet.NoGoroutineLeak(t)
	rec := &recorder{}
	m := newFaultMiddleware(t, rec)
	srv := faultnet.Start(t, m.Wrap(faultApp(http.NotFound)))
	const requests, clients = 2000, 64
	const (
		bySession = iota
		byLogin
		anonymous
		crossSite
	)
	wantStatus := [...]int{http.StatusOK, http.StatusOK, http.StatusUnauthorized, http.StatusForbidden}

	// The cookies are made first: signing takes the test's goroutine.
	cookies := make([]*http.Cookie, requests)
	for i := range requests {
		switch user := fmt.Sprintf("burst-user-%d", i); i % 4 {
		case bySession:
			cookies[i] = faultSessionCookie(t, user)
		case byLogin, crossSite:
			cookies[i] = faultLogin(t, user)
		}
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	t.Cleanup(client.CloseIdleConnections)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	verify := func(*jwt.Token) (any, error) { return []byte(faultZendeskKey), nil }

	var mu sync.Mutex
	jtis := make(map[string]int, requests)
	var failures int
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if failures++; failures <= 10 {
			t.Errorf(format, args...)
		}
	}
	call := func(i int) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/_chatident/zendesk/token", nil)
		if err != nil {
			fail("request %d: %v", i, err)
			return
		}
		if cookies[i] != nil {
			req.AddCookie(cookies[i])
		}
		if i%4 == crossSite {
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			req.Header.Set("Origin", "https://evil.example")
		}
		res, err := client.Do(req)
		if err != nil {
			fail("request %d: %v", i, err)
			return
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != wantStatus[i%4] {
			fail("request %d: %d %s (%v), want %d", i, res.StatusCode, body, err, wantStatus[i%4])
			return
		}
		if res.StatusCode != http.StatusOK {
			return
		}
		var tok struct{ Token string }
		if err := json.Unmarshal(body, &tok); err != nil {
			fail("request %d: %v in %s", i, err, body)
			return
		}
		claims := jwt.MapClaims{}
		if _, err := jwt.ParseWithClaims(tok.Token, claims, verify, jwt.WithValidMethods([]string{"HS256"}),
			jwt.WithExpirationRequired(), jwt.WithIssuedAt()); err != nil {
			fail("request %d: token does not verify: %v", i, err)
			return
		}
		jti, _ := claims["jti"].(string)
		if want := fmt.Sprintf("burst-user-%d", i); claims["external_id"] != want || jti == "" {
			fail("request %d: claims %v, want external_id %q and a jti", i, claims, want)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if j, seen := jtis[jti]; seen {
			t.Errorf("requests %d and %d got the same jti %q", j, i, jti)
		}
		jtis[jti] = i
	}

	jobs := make(chan int)
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				call(i)
			}
		}()
	}
	start := time.Now()
	for i := range requests {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	t.Logf("%d token requests from %d clients in %v", requests, clients, time.Since(start).Round(time.Millisecond))
	if ctx.Err() != nil {
		t.Fatal("the burst did not finish within 30 s")
	}
	if len(jtis) != requests/2 {
		t.Errorf("%d distinct tokens, want %d", len(jtis), requests/2)
	}

	srv.Settle(t)
	counts := map[Event]int{}
	for _, e := range rec.take() {
		counts[e]++
	}
	wantCounts := map[Event]int{
		{Kind: EventToken, Vendor: "zendesk", Reason: "issued"}:     requests / 2,
		{Kind: EventToken, Vendor: "zendesk", Reason: "anonymous"}:  requests / 4,
		{Kind: EventToken, Vendor: "zendesk", Reason: "cross_site"}: requests / 4,
	}
	if !reflect.DeepEqual(counts, wantCounts) {
		t.Errorf("events %v, want %v", counts, wantCounts)
	}
	if logged := srv.Log.String(); logged != "" {
		t.Errorf("net/http logged %q", logged)
	}
}
