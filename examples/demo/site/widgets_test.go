package site

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The stand-in vendor servers of the eight widgets accept what the vendor
// would accept and refuse the rest. Signatures here are computed with
// crypto/hmac directly; the tokens for HubSpot come from the stand-in of its
// API, through the client the HubSpot vendor is given.
func TestWidgetVerifiers(t *testing.T) {
	s := testSecrets()
	now := func() time.Time { return time.Unix(1700000000, 0) }
	api := newHubSpotAPI(s.HubSpotToken, now)
	h, err := standinHandler(s, api, now)
	if err != nil {
		t.Fatal(err)
	}
	sig := func(key []byte, msg string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(msg))
		return hex.EncodeToString(m.Sum(nil))
	}
	post := func(vendor string, body any) verdict {
		t.Helper()
		b, _ := json.Marshal(body)
		r, _ := http.NewRequest("POST", standinPrefix+vendor+"/verify", strings.NewReader(string(b)))
		r.Header.Set("Content-Type", "application/json")
		w := &recorder{header: http.Header{}}
		h.ServeHTTP(w, r)
		var v verdict
		if err := json.Unmarshal([]byte(w.body.String()), &v); err != nil {
			t.Fatalf("%s: %v: %s", vendor, err, w.body.String())
		}
		return v
	}
	email := "Ann@Example.com"
	for _, tc := range []struct {
		vendor    string
		good, bad any
	}{
		{"crisp", map[string]string{"email": email, "signature": sig(s.CrispSecret, email)},
			map[string]string{"email": email, "signature": sig(s.CrispSecret, strings.ToLower(email))}},
		{"chatwoot", map[string]string{"identifier": "42", "identifier_hash": sig(s.ChatwootSecret, "42")},
			map[string]string{"identifier": "42", "identifier_hash": sig([]byte("42"), string(s.ChatwootSecret))}},
		{"helpscout", map[string]string{"email": email, "signature": sig(s.HelpScoutSecret, email)},
			map[string]string{"email": email, "signature": strings.ToUpper(sig(s.HelpScoutSecret, email))}},
		{"tawkto", map[string]string{"email": email, "hash": sig(s.TawkSecret, email)},
			map[string]string{"userId": "42", "hash": sig(s.TawkSecret, email)}},
		{"front", map[string]string{"userId": "42", "email": email, "userHash": sig(s.FrontSecret, "42")},
			map[string]string{"userId": "42", "email": email, "userHash": sig(s.FrontSecret, email)}},
		{"intercom", map[string]string{"user_id": "42", "user_hash": sig(s.IntercomSecret, "42")},
			map[string]string{"user_id": "43", "user_hash": sig(s.IntercomSecret, "42")}},
	} {
		if v := post(tc.vendor, tc.good); !v.Verified {
			t.Errorf("%s: good identity refused: %s", tc.vendor, v.Problem)
		}
		if v := post(tc.vendor, tc.bad); v.Verified {
			t.Errorf("%s: wrong identity accepted", tc.vendor)
		}
	}

	// HubSpot: a token from the API stand-in, asked as the vendor asks.
	req, _ := http.NewRequestWithContext(context.Background(), "POST", demoHubSpotAPI+"/visitor-identification/v3/tokens/create",
		strings.NewReader(`{"email":"ann@example.com"}`))
	req.Header.Set("Authorization", "Bearer "+string(s.HubSpotToken))
	req.Header.Set("Content-Type", "application/json")
	resp, err := api.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var tok struct{ Token string }
	if resp.StatusCode != 200 || json.Unmarshal(body, &tok) != nil || tok.Token == "" {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	if v := post("hubspot", map[string]string{"email": "ann@example.com", "token": tok.Token}); !v.Verified {
		t.Errorf("hubspot: issued token refused: %s", v.Problem)
	}
	if v := post("hubspot", map[string]string{"email": "other@example.com", "token": tok.Token}); v.Verified {
		t.Error("hubspot: token accepted for another e-mail")
	}
	req.Header.Set("Authorization", "Bearer wrong")
	req.Body = io.NopCloser(strings.NewReader(`{"email":"ann@example.com"}`))
	if resp, err := api.client().Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong private app token: %v %v", resp, err)
	}
}

// recorder is a minimal http.ResponseWriter.
type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(s int)           { r.status = s }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// Each of the eight widgets gets its own metric series, from its Name()
// alone (package metrics is not told about them), and the HubSpot failure
// counts are exported.
func TestWidgetMetrics(t *testing.T) {
	srv, c, _ := testServer(t)
	same := map[string]string{"Origin": srv.URL, "Sec-Fetch-Site": "same-origin"}
	form := map[string][]string{"user_id": {"42"}, "name": {"Ann"}, "email": {"ann@example.com"}}
	if resp, _ := postForm(t, c, srv.URL, "/login", form, same); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	get(t, c, srv.URL, "/")
	_, body := get(t, c, srv.URL, "/metrics")
	for _, v := range widgetNames {
		if want := `chatident_injections_total{script="identify",vendor="` + v + `"} 1`; !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if !strings.Contains(body, `chatident_hubspot_token_failures_total{reason="timeout"} 0`) {
		t.Error("/metrics lacks the HubSpot failure counts")
	}
}
