package main

import (
	"bytes"
	"sync"
)

// The variables the demo reads its secrets from, as doc.go documents them:
// the command's tests use the names a user sets, not the site's constants.
const (
	envWebimKey         = "CHATIDENT_WEBIM_KEY"
	envEdnaKey          = "CHATIDENT_EDNA_KEY"
	envHelpCrunchSecret = "CHATIDENT_HELPCRUNCH_SECRET"
	envZendeskSecret    = "CHATIDENT_ZENDESK_SECRET"
	envSessionKey       = "CHATIDENT_SESSION_KEY"
)

// testEnv is an environment with an obviously fake value for every secret.
func testEnv() map[string]string {
	return map[string]string{
		envWebimKey:         "test-webim-key-not-a-secret-0123456789",
		envEdnaKey:          "test-edna-key-not-a-secret-0123456789",
		envHelpCrunchSecret: "test-helpcrunch-secret-not-a-secret-0123456789",
		envZendeskSecret:    "test-zendesk-secret-not-a-secret-0123456789",
		envSessionKey:       "test-session-key-not-a-secret-0123456789abcdef",
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
