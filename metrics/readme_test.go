package metrics

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chatident/chatident/middleware"
)

// The README's metrics table lists every reason chatident_responses_total
// can carry, so a new outcome (fragment, identity, …) cannot go undocumented.
func TestReadmeListsEveryResponseReason(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var row string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| `chatident_responses_total` |") {
			row = line
		}
	}
	if row == "" {
		t.Fatal("README.md has no chatident_responses_total row")
	}
	cells := strings.Split(row, "|")
	if len(cells) < 4 {
		t.Fatalf("row %q", row)
	}
	listed := map[string]bool{}
	for _, w := range regexp.MustCompile(`[a-z_]+`).FindAllString(strings.TrimPrefix(strings.TrimSpace(cells[3]), "`reason`:"), -1) {
		listed[w] = true
	}
	for _, r := range middleware.ResponseReasons() {
		if !listed[r] {
			t.Errorf("README.md's chatident_responses_total row does not list reason %q", r)
		}
	}
}
