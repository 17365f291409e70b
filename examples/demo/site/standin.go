package site

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"time"
)

// standinFiles are the local stand-ins for the vendors' widget scripts and
// the demo's stylesheet. Real widgets load from the vendors' servers, which
// an offline demo cannot reach; each stand-in reads exactly what the real
// widget would read and shows it in a panel.
//
//go:embed standin/*.js standin/*.css
var standinFiles embed.FS

// The stand-in script paths the vendor configurations and the page point at.
const (
	standinPrefix     = "/standin/"
	standinWebim      = standinPrefix + "webim.js"
	standinEdna       = standinPrefix + "edna.js"
	standinHelpCrunch = standinPrefix + "helpcrunch.js"
	standinZendesk    = standinPrefix + "zendesk.js"
	standinCSS        = standinPrefix + "demo.css"
)

// standinHandler serves the stand-in files under /standin/ and each
// stand-in's "vendor backend" at POST /standin/<vendor>/verify.
func standinHandler(s Secrets, api *hubSpotAPI, now func() time.Time) (http.Handler, error) {
	mux := http.NewServeMux()
	sub, err := fs.Sub(standinFiles, "standin")
	if err != nil {
		return nil, fmt.Errorf("stand-in files: %w", err)
	}
	scripts, err := standinScripts(sub)
	if err != nil {
		return nil, err
	}
	css := http.StripPrefix(standinPrefix, http.FileServerFS(sub))
	mux.Handle("GET "+standinPrefix+"{file}", noSniff(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file := r.PathValue("file")
		if js, ok := scripts[file]; ok {
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			w.Write(js)
			return
		}
		if file == "demo.css" {
			css.ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
	})))
	mux.Handle("POST "+standinPrefix+"webim/verify", verifyWebim(s.WebimKey, now))
	mux.Handle("POST "+standinPrefix+"helpcrunch/verify", verifyHelpCrunch(s.HelpCrunchSecret))
	mux.Handle("POST "+standinPrefix+"zendesk/verify", verifyZendesk(s.ZendeskSecret, now))
	for vendor, h := range widgetVerifiers(s, api, now) {
		mux.Handle("POST "+standinPrefix+vendor+"/verify", h)
	}
	return mux, nil
}

// standinScripts assembles each vendor's stand-in script: the shared panel
// code (panel.js), then the vendor's own file, inside one function scope.
// The vendors' loaders insert the stand-ins asynchronously and in any order,
// so each must carry the shared code itself rather than rely on another
// script having run first.
func standinScripts(files fs.FS) (map[string][]byte, error) {
	shared, err := fs.ReadFile(files, "panel.js")
	if err != nil {
		return nil, fmt.Errorf("stand-in files: %w", err)
	}
	scripts := make(map[string][]byte)
	for _, vendor := range append([]string{"webim", "edna", "helpcrunch", "zendesk"}, widgetNames...) {
		own, err := fs.ReadFile(files, vendor+".js")
		if err != nil {
			return nil, fmt.Errorf("stand-in files: %w", err)
		}
		var b bytes.Buffer
		b.WriteString("(function () {\n'use strict';\n")
		b.Write(shared)
		b.WriteString("\n")
		b.Write(own)
		b.WriteString("})();\n")
		scripts[vendor+".js"] = b.Bytes()
	}
	return scripts, nil
}

// noSniff stops browsers from treating a stand-in as anything but its
// declared type.
func noSniff(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}
