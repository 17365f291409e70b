// Command echo is a small shop page served by Echo with chatident in its
// chain: it identifies the visitor to Webim and counts what it does in
// Prometheus. It works offline: the Webim keys are generated at start and the
// page loads nothing from Webim.
//
//	go run -C examples/echo .        (or: cd examples/echo && go run .)
//
// Then open http://127.0.0.1:8082/?user=ann to be signed in as "ann", / to
// be anonymous again (the page then resets the identity), and /metrics.
// Signing in from a query parameter stands in for the application's real
// session: it is what an authentication middleware would put under
// echomw.VisitorKey.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8082", "address to listen on")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	h, err := newApp(log)
	if err != nil {
		log.Error("configuration", "err", err)
		os.Exit(1)
	}
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	log.Info("listening", "url", "http://"+*addr+"/?user=ann")
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}
