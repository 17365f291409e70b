package middleware

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chatident/chatident/vendors"
)

// BenchmarkTwelveWidgets measures the identified 2 KiB page with all twelve
// widgets configured, beside the bare app and the four seed vendors, and
// each of the eight later widgets alone beside the bare app (its added cost).
// HubSpot's tokens come from a local stand-in of its API, cached after the
// first page, as on a live site.
func BenchmarkTwelveWidgets(b *testing.B) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"token":"hubspot-visitor-token"}`)
	}))
	defer api.Close()
	// One key per purpose: New refuses a key in two places.
	key := func(purpose string) []byte { return []byte(testKey + "-" + purpose) }
	seeds := func() []vendors.Vendor {
		return []vendors.Vendor{
			&vendors.Webim{PrivateKey: key("webim"), IDKey: key("webim-id")},
			&vendors.Edna{IDKey: key("edna")},
			&vendors.HelpCrunch{Organization: "shop", AppID: "3", Secret: key("helpcrunch")},
			&vendors.Zendesk{Secret: key("zendesk"), AccountKey: "acct-key"},
		}
	}
	eight := func() []vendors.Vendor {
		return []vendors.Vendor{
			&vendors.Intercom{AppID: "abc123", Secret: key("intercom")},
			&vendors.Crisp{WebsiteID: "7598bf86-9ebb-46bc-8d61-be8929bbf93d", VerifySecret: key("crisp"), TokenIDKey: key("crisp-token")},
			&vendors.TawkTo{PropertyID: "p1", APIKey: key("tawkto")},
			&vendors.Chatwoot{BaseURL: "https://app.chatwoot.com", WebsiteToken: "tok", HMACToken: key("chatwoot")},
			&vendors.HelpScout{BeaconID: "1f2e3d4c-5b6a-4978-8796-a5b4c3d2e1f0", SecureKey: key("helpscout")},
			&vendors.Front{ChatID: "c1", VerificationSecret: key("front")},
			&vendors.Drift{EmbedID: "e1", SigningKey: key("drift")},
			&vendors.HubSpot{PortalID: "123", Token: key("hubspot"), APIBase: api.URL},
		}
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(benchPage)
	})
	mw := func(vs []vendors.Vendor) http.Handler {
		m, err := New(Config{Vendors: vs, Observer: &countingObserver{}, SignOut: SignOut{HashKey: key("sign-out")}})
		if err != nil {
			b.Fatal(err)
		}
		return m.Wrap(app)
	}
	req := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		return r.WithContext(WithVisitor(r.Context(), vendors.Visitor{ID: "user-42", Name: "Anna", Email: "anna@example.com", Phone: "+1 555"}))
	}
	type bench struct {
		name string
		h    http.Handler
	}
	cases := []bench{
		{"bare", app},
		{"seed_four", mw(seeds())},
		{"all_twelve", mw(append(seeds(), eight()...))},
	}
	for _, v := range eight() {
		cases = append(cases, bench{"one/" + v.Name(), mw([]vendors.Vendor{v})})
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			r := req()
			w := &discardWriter{h: make(http.Header)}
			bc.h.ServeHTTP(w, r) // warms HubSpot's cache and the memos
			b.ReportAllocs()
			b.SetBytes(int64(len(benchPage)))
			for b.Loop() {
				clear(w.h)
				bc.h.ServeHTTP(w, r)
			}
		})
	}
}
