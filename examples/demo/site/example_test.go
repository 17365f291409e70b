package site

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
)

// Running the demo in-process, as its tests do: New is the whole site, so
// an httptest.Server serves it on a free port with known secrets.
func Example_inProcess() {
	app, err := New(Config{Secrets: testSecrets()})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(app)
	defer srv.Close()

	// Sign in without following the redirect, to see it.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(srv.URL+"/login", url.Values{"user_id": {"42"}, "name": {"Ada"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Location"))
	// Output: 303 /
}
