package middleware_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/chatident/chatident/middleware"
	"github.com/chatident/chatident/vendors"
)

func hmacHex(key, msg string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// TestMemoNeverMixesVisitors serves many distinct visitors concurrently
// (run with -race) through the four real vendors with a memo small enough to
// evict all the time, and with no memo, and checks that every page carries
// values made for its own visitor: the HelpCrunch user_id and hash, the
// edna clientId and the Webim id are checked against HMAC-SHA256 computed
// here with crypto/hmac, outside chatident's keyed states.
func TestMemoNeverMixesVisitors(t *testing.T) {
	for _, size := range []int{8, -1} {
		t.Run(fmt.Sprintf("MemoSize=%d", size), func(t *testing.T) {
			mw, err := middleware.New(middleware.Config{
				Vendors: []vendors.Vendor{
					&vendors.Webim{PrivateKey: []byte(webimKey), IDKey: []byte(webimIDKey), DisableRefresh: true},
					&vendors.Edna{IDKey: []byte(ednaIDKey)},
					&vendors.HelpCrunch{Organization: "shop", AppID: "3", Secret: []byte(helpKey)},
				},
				SignOut:  middleware.SignOut{HashKey: []byte(signOutKey)},
				MemoSize: size,
			})
			if err != nil {
				t.Fatal(err)
			}
			h := mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				io.WriteString(w, "<html><head></head><body></body></html>")
			}))
			var wg sync.WaitGroup
			errs := make(chan string, 8)
			for g := range 16 {
				wg.Go(func() {
					for i := range 60 {
						id := fmt.Sprintf("user-%d-%d", g, i%7)
						r := httptest.NewRequest(http.MethodGet, "/", nil)
						r = r.WithContext(middleware.WithVisitor(r.Context(), vendors.Visitor{ID: id}))
						w := httptest.NewRecorder()
						h.ServeHTTP(w, r)
						if msg := checkOwnValues(t, w.Body.String(), id); msg != "" {
							select {
							case errs <- msg:
							default:
							}
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Error(e)
			}
		})
	}
}

// checkOwnValues says what in page was not made for visitor id, or "".
func checkOwnValues(t *testing.T, page, id string) string {
	vs := pageVendors(nil, page)
	user, _ := vs["helpcrunch"].Data["user"].(map[string]any)
	wantUser := hmacHex(helpKey, id)
	if user["user_id"] != wantUser || user["security_hash"] != hmacHex(helpKey, wantUser) {
		return fmt.Sprintf("%s: helpcrunch user %v", id, user)
	}
	if got := vs["edna"].Data["id"]; got != hmacHex(ednaIDKey, id) {
		return fmt.Sprintf("%s: edna clientId %v", id, got)
	}
	obj, _ := vs["webim"].Data["visitor"].(map[string]any)
	if got := fieldsID(obj); got != "u"+hmacHex(webimIDKey, id) {
		return fmt.Sprintf("%s: webim id %v", id, got)
	}
	return ""
}
