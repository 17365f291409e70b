package faultnet

import (
	"io"
	"net/http"
	"strings"
)

// LateCalls uses w as an application's forgotten goroutine would, after its
// handler has returned: every way of writing, several times over. It
// returns how many calls reported success.
func LateCalls(w http.ResponseWriter) (ok int) {
	for range 20 {
		if _, err := w.Write([]byte("LEAK")); err == nil {
			ok++
		}
		if _, err := io.Copy(w, strings.NewReader("LEAK")); err == nil {
			ok++
		}
		if err := http.NewResponseController(w).Flush(); err == nil {
			ok++
		}
		w.WriteHeader(http.StatusInternalServerError)
	}
	return ok
}
