package middleware

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatident/chatident/vendors"
)

// TestVendorNotes checks that a vendor's note reaches the observer and the
// log, without visitor values: Webim declining a visitor whose name holds
// another visitor's opaque id still puts its loader in the page.
func TestVendorNotes(t *testing.T) {
	rec := &recorder{}
	logger, logs := logBuffer()
	webimIDKey := []byte("notes-webim-id-key-not-a-secret-0123")
	m := mustNew(t, Config{
		Vendors: []vendors.Vendor{&vendors.Webim{
			PrivateKey: []byte("notes-webim-key-not-a-secret-0123"), IDKey: webimIDKey,
			LoaderURL: "https://webim.example/js/button.js", DisableRefresh: true,
		}},
		SignOut:  SignOut{Disabled: true},
		Observer: rec,
		Logger:   logger,
	})
	// The opaque id of user "12345" (vendors' form: "u" and the hex HMAC):
	// printf '%s' 12345 | openssl dgst -sha256 -hmac notes-webim-id-key-not-a-secret-0123
	other := "u" + "f9779b8ae8a6b0a0898fcdf922d31fed827b97ac6c80a998f891d1d26f437462"
	r := httptest.NewRequest("GET", "/", nil)
	r = r.WithContext(WithVisitor(r.Context(), vendors.Visitor{ID: "666", Name: other}))
	p := buildPage(m, r, "")
	if script := string(p.script); script != "webim.anonymous();" {
		t.Errorf("script = %s\nwant the anonymous code, which loads the widget, without an identity", script)
	}
	if !strings.Contains(m.vendors[0].script.Anonymous, "button.js") {
		t.Errorf("Webim's anonymous code has no loader:\n%s", m.vendors[0].script.Anonymous)
	}
	var notes int
	for _, e := range rec.take() {
		if e.Kind == EventNote {
			notes++
			if e.Vendor != "webim" || e.Reason != vendors.NoteAmbiguous {
				t.Errorf("note event %+v", e)
			}
		}
	}
	if notes != 1 {
		t.Errorf("%d note events, want 1", notes)
	}
	out := logs.String()
	if !strings.Contains(out, "reason=ambiguous") || strings.Contains(out, other) || strings.Contains(out, "666") {
		t.Errorf("log:\n%s", out)
	}
}
