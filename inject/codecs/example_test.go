package codecs_test

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/inject/codecs"
)

// An application that compresses its own pages (here with gzhttp) still
// gets the script: chatident decodes, inserts and encodes again. The
// middleware package registers these codecs by itself; this is for
// inject.Handler used directly.
func Example() {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<html><head><title>Shop</title></head><body>…</body></html>"))
	})
	script := func(*http.Request) []byte { return []byte(`window.chat={id:"42"};`) }
	handler := inject.Handler(gzhttp.GzipHandler(app), script, inject.Codecs(codecs.All()...))
	_ = handler // http.ListenAndServe(addr, handler)
}
