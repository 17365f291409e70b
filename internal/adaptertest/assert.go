package adaptertest

import (
	"strings"
	"testing"
)

// AssertInjected checks that body is page with one <script> element right
// after <head> that contains stmt, and every other byte unchanged.
func AssertInjected(t testing.TB, body, page, stmt string) {
	t.Helper()
	at := strings.Index(page, "<head>")
	if at < 0 {
		t.Fatalf("test page has no <head>: %q", page)
	}
	at += len("<head>")
	if !strings.HasPrefix(body, page[:at]+"<script") {
		t.Fatalf("no <script> right after <head>:\n got: %q\npage: %q", body, page)
	}
	rest := body[at:]
	end := strings.Index(rest, "</script>")
	if end < 0 {
		t.Fatalf("inserted <script> is not closed: %q", body)
	}
	end += len("</script>")
	if script := rest[:end]; !strings.Contains(script, stmt) {
		t.Errorf("inserted script lacks %s: %q", stmt, script)
	}
	if rest[end:] != page[at:] {
		t.Errorf("page changed around the script:\n got: %q\nwant: %q", rest[end:], page[at:])
	}
}
