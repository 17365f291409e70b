package site

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"sync"
	"testing"
)

// testSecrets are obviously fake keys, one per variable.
func testSecrets() Secrets {
	return Secrets{
		WebimKey:         []byte("test-webim-key-not-a-secret-0123456789"),
		EdnaKey:          []byte("test-edna-key-not-a-secret-0123456789"),
		HelpCrunchSecret: []byte("test-helpcrunch-secret-not-a-secret-0123456789"),
		ZendeskSecret:    []byte("test-zendesk-secret-not-a-secret-0123456789"),
		SessionKey:       []byte("test-session-key-not-a-secret-0123456789abcdef"),
		IntercomSecret:   []byte("test-intercom-secret-not-a-secret-0123456789"),
		CrispSecret:      []byte("test-crisp-secret-not-a-secret-0123456789"),
		TawkSecret:       []byte("test-tawk-secret-not-a-secret-0123456789"),
		ChatwootSecret:   []byte("test-chatwoot-secret-not-a-secret-0123456789"),
		HelpScoutSecret:  []byte("test-helpscout-secret-not-a-secret-0123456789"),
		FrontSecret:      []byte("test-front-secret-not-a-secret-0123456789"),
		DriftSecret:      []byte("test-drift-secret-not-a-secret-0123456789"),
		HubSpotToken:     []byte("test-hubspot-token-not-a-secret-0123456789"),
	}
}

// testEnv is testSecrets as the environment the demo reads.
func testEnv() map[string]string {
	s := testSecrets()
	return map[string]string{
		envWebimKey:         string(s.WebimKey),
		envEdnaKey:          string(s.EdnaKey),
		envHelpCrunchSecret: string(s.HelpCrunchSecret),
		envZendeskSecret:    string(s.ZendeskSecret),
		envSessionKey:       string(s.SessionKey),
		envIntercomSecret:   string(s.IntercomSecret),
		envCrispSecret:      string(s.CrispSecret),
		envTawkSecret:       string(s.TawkSecret),
		envChatwootSecret:   string(s.ChatwootSecret),
		envHelpScoutSecret:  string(s.HelpScoutSecret),
		envFrontSecret:      string(s.FrontSecret),
		envDriftSecret:      string(s.DriftSecret),
		envHubSpotToken:     string(s.HubSpotToken),
	}
}

// syncBuffer is a log destination several goroutines may write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testServer runs the demo in-process with testSecrets and a captured
// debug-level log, and returns a client that keeps cookies and does not
// follow redirects.
func testServer(t *testing.T) (*httptest.Server, *http.Client, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	app, err := New(Config{Secrets: testSecrets(), Logger: log})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{
		Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return srv, client, logs
}
