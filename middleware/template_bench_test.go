package middleware

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatident/chatident/vendors"
)

// The layout an application renders itself: a 2 KiB page. handLayout is
// what a developer would write without chatident, computing the same four
// vendors' values in the handler and letting html/template escape them.
var (
	benchBody  = strings.Repeat("Some product text here. ", 80)[:1900]
	bareLayout = template.Must(template.New("bare").Parse(
		`<!doctype html><html><head><meta charset=utf-8><title>Shop</title></head><body><p>{{.Body}}</p></body></html>`))
	handLayout = template.Must(template.New("hand").Parse(
		`<!doctype html><html><head><meta charset=utf-8>` +
			`<script>window.webim_visitor = {{.Webim}};</script>` +
			`<script>window.clientId = {{.EdnaID}}; window.clientData = {{.EdnaData}};</script>` +
			`<script>HelpCrunch("init", "shop", {appId: "3", user: {{.HelpCrunch}}}); HelpCrunch("showChatWidget");</script>` +
			`<script>zE("messenger", "loginUser", function (cb) { fetch("/_chatident/zendesk/token").then(function (r) { return r.json() }).then(function (j) { cb(j.token) }) });</script>` +
			`<title>Shop</title></head><body><p>{{.Body}}</p></body></html>`))
)

func benchHMAC(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// BenchmarkAgainstTemplate compares chatident's added cost with the cost a
// hand-written html/template layout adds for the same four vendors' values
// (Webim's opaque id and signed object, edna's clientId and clientData,
// HelpCrunch's opaque user_id and security_hash, Zendesk's token function):
// the bare layout, the layout through chatident with the real vendors, and
// the hand-written layout, for one identified visitor, in one run.
func BenchmarkAgainstTemplate(b *testing.B) {
	key := []byte(testKey) // the hand-written layout's: one key is enough to cost the same
	v := vendors.Visitor{ID: "user-42", Name: "Anna Petrova", Email: "anna@example.com"}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = bareLayout.Execute(w, map[string]any{"Body": benchBody})
	})
	hand := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vis, _ := VisitorFrom(r.Context())
		id := benchHMAC(key, vis.ID)
		expires := time.Now().Add(time.Hour).Unix()
		fields := map[string]string{"id": id, "login": vis.ID, "display_name": vis.Name, "email": vis.Email}
		signed := vis.Name + vis.Email + id + vis.ID + strconv.FormatInt(expires, 10)
		userID := benchHMAC(key, vis.ID)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "private")
		_ = handLayout.Execute(w, map[string]any{
			"Body":     benchBody,
			"Webim":    map[string]any{"fields": fields, "expires": expires, "hash": benchHMAC(key, signed)},
			"EdnaID":   benchHMAC(key, vis.ID),
			"EdnaData": `{"name":` + strconv.Quote(vis.Name) + `,"email":` + strconv.Quote(vis.Email) + `}`,
			"HelpCrunch": map[string]string{"user_id": userID, "name": vis.Name, "email": vis.Email,
				"security_hash": benchHMAC(key, userID)},
		})
	})
	mw, err := New(Config{
		Vendors: []vendors.Vendor{
			&vendors.Webim{PrivateKey: benchKey("webim"), IDKey: benchKey("webim-id")},
			&vendors.Edna{IDKey: benchKey("edna")},
			&vendors.HelpCrunch{Organization: "shop", AppID: "3", Secret: benchKey("helpcrunch")},
			&vendors.Zendesk{Flavor: vendors.ZendeskMessaging, Secret: benchKey("zendesk"), KeyID: "k"},
		},
		Observer: &countingObserver{},
		SignOut:  SignOut{HashKey: key},
	})
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r = r.WithContext(WithVisitor(r.Context(), v))
	marker := markerFrom(b, buildPage(mw, r, ""))
	r.AddCookie(marker)
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"bare_template", bare},
		{"chatident", mw.Wrap(bare)},
		{"hand_written_template", hand},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w := &discardWriter{h: make(http.Header)}
			b.ReportAllocs()
			b.SetBytes(2048)
			start := cpuTime(b)
			for b.Loop() {
				clear(w.h)
				bc.h.ServeHTTP(w, r)
			}
			b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
		})
	}
}
