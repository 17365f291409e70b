package inject_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/inject/codecs"
)

// FuzzCodecCorrupt feeds arbitrary, truncated and corrupted coded bodies,
// cut into arbitrary writes, to a Handler that decodes them. Whatever the
// bytes: no panic, no hang (each response must end within seconds), and
//
//   - a response reported as anything but Corrupt decodes cleanly with the
//     client's decoder;
//   - when the reference decoder reads the input in full, such a response
//     decodes to the same page with at most the one element inserted;
//   - a body that went out unchanged carries the application's headers.
func FuzzCodecCorrupt(f *testing.F) {
	small := "<!DOCTYPE html><html><head><title>t</title></head><body><p>hello</p></body></html>"
	large := codecPage(40<<10, 8)
	for i, c := range codings {
		for _, page := range []string{small, large} {
			var b bytes.Buffer
			e := c.enc(&b)
			io.WriteString(e, page)
			e.Close()
			coded := b.Bytes()
			f.Add(uint8(i), uint16(0), coded)
			f.Add(uint8(i), uint16(1), coded[:len(coded)/2])
			flipped := append([]byte(nil), coded...)
			flipped[len(flipped)/3] ^= 0x40
			f.Add(uint8(i), uint16(700), flipped)
			f.Add(uint8(i), uint16(3), append(append([]byte(nil), coded...), coded[:9]...))
		}
	}
	f.Add(uint8(1), uint16(0), []byte{0x78, 0x9c})
	f.Add(uint8(2), uint16(0), []byte{})
	f.Fuzz(func(t *testing.T, which uint8, piece uint16, body []byte) {
		c := codings[int(which)%len(codings)]
		app := &bodyApp{header: htmlCoded(c.name), body: body, piece: int(piece)}
		app.header["ETag"] = `"app"`
		var out inject.Outcome
		h := inject.Handler(app, constScript, inject.Codecs(codecs.All()...),
			inject.Logger(slog.New(slog.DiscardHandler)),
			inject.Observe(func(_ *http.Request, o inject.Outcome) { out = o }))
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			defer close(done)
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("the response did not end (%d coded bytes, writes of %d)", len(body), piece)
		}
		got := rec.Body.Bytes()
		if bytes.Equal(got, body) && rec.Result().Header.Get("ETag") == `"app"` {
			return // passed on as the application made it
		}
		if out.Reason == inject.Corrupt {
			return // cut off: anything sent is a prefix, checked by the tests
		}
		page, err := decodePrefix(c.client, got)
		if err != nil {
			t.Fatalf("outcome %+v, but the response does not decode: %v", out, err)
		}
		if want, err := decodePrefix(c.client, body); err == nil {
			s := string(page)
			if out.Reason == inject.Injected {
				s = strings.Replace(s, codecElement, "", 1)
			}
			if s != string(want) {
				t.Fatalf("outcome %+v: the decoded response is not the decoded input (%d bytes, want %d)", out, len(s), len(want))
			}
		}
	})
}
