package inject_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/inject/codecs"
	"github.com/chatident/chatident/internal/testenv"
)

// countingWriter is an underlying ResponseWriter that keeps nothing: it
// counts body bytes, or hands them to tee when set.
type countingWriter struct {
	h   http.Header
	n   int64
	tee io.Writer
}

func (c *countingWriter) Header() http.Header { return c.h }
func (c *countingWriter) WriteHeader(int)     {}
func (c *countingWriter) Flush()              {}
func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if c.tee != nil {
		return c.tee.Write(p)
	}
	return len(p), nil
}

// TestCodecAllocDoesNotGrowWithThePage serves a 16 MiB page that the
// application compressed, and a 4 MiB one, and checks that what chatident
// allocates to decode, insert and re-encode does not grow with the page.
// With empty pools the codec's decoder and encoder are made (their size is
// set by the format's window, which the application's encoder chose, not
// by the page): the 16 MiB page may cost at most 1 MiB more than the 4 MiB
// one, which is over the window of every coding here. With warm pools, as
// on a busy server, a page costs next to nothing.
func TestCodecAllocDoesNotGrowWithThePage(t *testing.T) {
	testenv.SkipUnderRace(t, "allocation counts: its sync.Pool drops items on purpose, and 16 MiB pages take minutes")
	small, large := codecPage(4<<20, 4), codecPage(16<<20, 16)
	for _, c := range codings {
		t.Run(c.name, func(t *testing.T) {
			s := coldWarm(t, c, small)
			l := coldWarm(t, c, large)
			if l[0] > s[0]+1<<20 {
				t.Errorf("with empty pools a %d-byte page allocated %d bytes, a %d-byte page %d: memory grows with the page",
					len(large), l[0], len(small), s[0])
			}
			if l[1] > 64<<10 {
				t.Errorf("with warm pools a %d-byte page allocated %d bytes, want at most 64 KiB", len(large), l[1])
			}
		})
	}
}

// coldWarm serves page coded with c through a new Handler twice, and returns the bytes allocated by the first response
// (empty pools) and the second (warm pools). The output is checked too.
func coldWarm(t *testing.T, c coding, page string) [2]uint64 {
	t.Helper()
	var coded bytes.Buffer
	e := c.enc(&coded)
	io.WriteString(e, page)
	e.Close()
	body := coded.Bytes()
	h := inject.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", c.name)
		for i := 0; i < len(body); i += 32 << 10 {
			if _, err := w.Write(body[i:min(i+32<<10, len(body))]); err != nil {
				t.Error(err)
				return
			}
		}
	}), constScript, inject.Codecs(codecs.All()...))
	req := httptest.NewRequest("GET", "/", nil)

	// The garbage collector is off and one P runs everything, so that the
	// second run finds the decoder and encoder the first put back in
	// their pools (sync.Pool keeps an item first for the P that put it);
	// TotalAlloc counts every allocation either way.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	runtime.GC()
	var out bytes.Buffer
	out.Grow(len(body) + len(body)/2)
	var m0, m1, m2 runtime.MemStats
	runtime.ReadMemStats(&m0)
	h.ServeHTTP(&countingWriter{h: http.Header{}, tee: &out}, req)
	runtime.ReadMemStats(&m1)
	w := &countingWriter{h: http.Header{}}
	h.ServeHTTP(w, req)
	runtime.ReadMemStats(&m2)
	cold, warm := m1.TotalAlloc-m0.TotalAlloc, m2.TotalAlloc-m1.TotalAlloc
	t.Logf("%s: page %d bytes, coded %d, sent %d; allocated %d bytes with empty pools, %d with warm ones",
		c.name, len(page), len(body), w.n, cold, warm)
	if w.n == 0 {
		t.Fatal("nothing sent")
	}
	if got := decode(t, c.client, out.Bytes()); string(got) != injectedPage(page, inject.AfterHeadOpen) {
		t.Fatalf("decoded page differs (%d bytes, page %d): %.300q", len(got), len(page), got)
	}
	return [2]uint64{cold, warm}
}
