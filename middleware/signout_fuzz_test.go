package middleware

import (
	"bytes"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chatident/chatident/vendors"
)

// Sign-out markers for the visitor "user-42" under testKey, made by
// Python's hmac and base64 in securecookie's format, not by our code: the
// visitor hash is HMAC-SHA256 under a key derived from the hash key, and
// the cookie is base64url("<unix time>|" + base64url(hash) + "|" + MAC), the
// MAC being HMAC-SHA256(hash key, "chatident_seen|<unix time>|" +
// base64url(hash)).
//
//	python3 -c "import hmac,hashlib,base64
//	k=b'test-key-not-a-secret-0123456789abcdef'
//	idk=hmac.new(k,b'chatident sign-out marker: visitor id',hashlib.sha256).digest()
//	h=hmac.new(idk,b'user-42',hashlib.sha256).digest()
//	print(h.hex())
//	for date in (b'4102444800', b'1000000000'):
//	  v=base64.urlsafe_b64encode(h)
//	  mac=hmac.new(k,b'chatident_seen|'+date+b'|'+v,hashlib.sha256).digest()
//	  print(base64.urlsafe_b64encode(date+b'|'+v+b'|'+mac).decode())"
const (
	pythonMarkerHash = "3c6d98f66e4f0408a1be117ed8cc704a8008e086844ee0a897811a5d77d30e87"
	// pythonMarker is dated 2100, so it stays within the marker's age.
	pythonMarker = "NDEwMjQ0NDgwMHxQRzJZOW01UEJBaWh2aEYtMk14d1NvQUk0SWFFVHVDb2w0RWFYWGZURG9jPXyoW5gFrvKzEaDbIQaaEiquTOVuTVdPsFNe2Eu5l9sBOw=="
	// pythonExpiredMarker is dated 2001, long past the marker's age.
	pythonExpiredMarker = "MTAwMDAwMDAwMHxQRzJZOW01UEJBaWh2aEYtMk14d1NvQUk0SWFFVHVDb2w0RWFYWGZURG9jPXy-fEUi4Jco40z_p2Qfe3Bpj1KwV0GOzhkf0upQEBMsmA=="
)

// TestSignOutMarkerFromPython checks the marker format against the markers
// Python made: the same visitor is recognised, another visitor or an
// anonymous one gets the resets, and an expired marker is only cleared.
func TestSignOutMarkerFromPython(t *testing.T) {
	m := signOutMiddleware(t, nil)
	want, _ := hex.DecodeString(pythonMarkerHash)
	if got := m.signOut.visitorHash("user-42"); !bytes.Equal(got[:], want) {
		t.Fatalf("visitorHash(user-42) = %x, Python says %s", got, pythonMarkerHash)
	}
	marker := &http.Cookie{Name: DefaultSignOutCookie, Value: pythonMarker}
	expired := &http.Cookie{Name: DefaultSignOutCookie, Value: pythonExpiredMarker}
	for _, tc := range []struct {
		name      string
		r         *http.Request
		resets    bool
		setMarker bool // a new marker is set
		expire    bool // the marker is expired
	}{
		{"same visitor", visitorRequest("user-42", marker), false, false, false},
		{"another visitor", visitorRequest("user-43", marker), true, true, false},
		{"anonymous", withCookies("/", marker), true, false, true},
		{"expired, anonymous", withCookies("/", expired), false, false, true},
		{"expired, same visitor", visitorRequest("user-42", expired), false, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := buildPage(m, tc.r, "")
			if got := bytes.Contains(p.script, []byte("webim.reset();")); got != tc.resets {
				t.Errorf("resets %v, want %v; script:\n%s", got, tc.resets, p.script)
			}
			c := markerFrom(t, p)
			switch {
			case tc.setMarker:
				if c == nil || c.MaxAge != markerMaxAge {
					t.Errorf("marker %+v, want a new one", c)
				}
			case tc.expire:
				if c == nil || c.MaxAge >= 0 || c.Value != "" {
					t.Errorf("marker %+v, want it expired", c)
				}
			case c != nil:
				t.Errorf("marker %+v, want none set", c)
			}
		})
	}
}

// FuzzSignOutMarker sends any Cookie header, as an anonymous visitor (id
// empty) or as a signed-in one, and checks that the only marker that ever
// verifies holds the hash Python computed for user-42 (no other content
// can be forged), that the marker Python signed verifies, and that the page
// does what the marker says: resets exactly when a valid marker names
// someone else or the visitor is anonymous; a new marker, holding the new
// visitor's hash, for an identified visitor the marker does not name; the
// marker expired for an anonymous visitor who sent one; nothing otherwise.
func FuzzSignOutMarker(f *testing.F) {
	for _, c := range []struct{ header, id string }{
		{"chatident_seen=" + pythonMarker, "user-42"},
		{"chatident_seen=" + pythonMarker, ""},
		{"chatident_seen=" + pythonMarker, "user-43"},
		{"chatident_seen=" + pythonExpiredMarker, ""},
		{`a=b; chatident_seen="` + pythonMarker + `"`, ""},
		{"chatident_seen=" + pythonMarker[:len(pythonMarker)-4] + "Ox==", ""},
		{"chatident_seen=garbage; chatident_seen=" + pythonMarker, "user-42"},
		{"chatident_seen=MXwyfDM=", ""},
		{"chatident_seen=", "\xff</script>"},
		{"", "user-42"},
	} {
		f.Add(c.header, c.id)
	}
	held, _ := hex.DecodeString(pythonMarkerHash)
	m := mustNew(f, Config{
		Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}, &fakeVendor{name: "zendesk"}},
		SignOut: SignOut{HashKey: []byte(testKey)},
	})
	f.Fuzz(func(t *testing.T, header, id string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Cookie", header)
		if id != "" {
			r = r.WithContext(WithVisitor(r.Context(), vendors.Visitor{ID: id}))
		}
		state, hash, _ := m.signOut.read(r, time.Now().Unix())
		sent, err := r.Cookie(DefaultSignOutCookie)
		switch {
		case (err == nil) != (state != markerAbsent):
			t.Fatalf("marker state %v, but net/http finds the cookie: %v", state, err == nil)
		case state == markerValid && !bytes.Equal(hash[:], held):
			t.Fatalf("a marker we never signed verifies, holding %x", hash)
		case err == nil && sent.Value == pythonMarker && state != markerValid:
			t.Fatalf("the marker Python signed does not verify")
		}

		p := buildPage(m, r, "")
		same := state == markerValid && id == "user-42"
		wantResets := state == markerValid && !same
		if got := bytes.Contains(p.script, []byte("webim.reset();")); got != wantResets {
			t.Fatalf("resets %v, want %v (marker %v, visitor %q)", got, wantResets, state, id)
		}
		c := markerFrom(t, p)
		switch {
		case id != "" && !same:
			if c == nil || c.MaxAge != markerMaxAge || !c.HttpOnly || c.Path != "/" || c.SameSite != http.SameSiteLaxMode {
				t.Fatalf("identified page: marker %+v, want a new HttpOnly, Lax, site-wide one", c)
			}
			next := httptest.NewRequest(http.MethodGet, "/", nil)
			next.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
			if s, h, _ := m.signOut.read(next, time.Now().Unix()); s != markerValid || h != m.signOut.visitorHash(id) {
				t.Fatalf("the new marker reads back as %v %x, want the visitor's hash", s, h)
			}
		case id == "" && state != markerAbsent:
			if c == nil || c.MaxAge >= 0 || c.Value != "" {
				t.Fatalf("anonymous page with a marker: %+v, want it expired", c)
			}
		case c != nil:
			t.Fatalf("marker %+v set, want none (marker %v, visitor %q)", c, state, id)
		}
	})
}
