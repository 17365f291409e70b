package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/chatident/chatident/examples/demo/site"
)

// shutdownGrace is how long requests in flight get to finish after SIGINT
// or SIGTERM.
const shutdownGrace = 5 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		// On a line of its own: a configuration error holds several lines,
		// each naming its own origin ("chatident: Config.Vendors[0] …").
		fmt.Fprintf(os.Stderr, "chatident demo: cannot start:\n%v\n", err)
		os.Exit(1)
	}
}

// run is the whole program: it parses args, reads secrets through getenv,
// logs to logw, serves until ctx ends, then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, logw io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(logw)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free port)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h: the usage has been printed
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	log := slog.New(slog.NewTextHandler(logw, nil))

	secrets, generated, err := site.LoadSecrets(getenv, rand.Reader)
	if err != nil {
		return err
	}
	if len(generated) > 0 {
		// Names only: a generated secret is as secret as a given one.
		log.Info("generated random secrets for unset variables; sessions and tokens end when the demo stops",
			"variables", strings.Join(generated, ","))
	}
	app, err := site.New(site.Config{Secrets: secrets, Logger: log})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *addr, err)
	}
	srv := &http.Server{
		Handler:           app,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// One line with the real URL, so that a test starting the demo with
	// -addr 127.0.0.1:0 can find it.
	log.Info("chatident demo listening on " + listenURL(ln.Addr()))

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	return nil
}

// listenURL is the URL a browser on this machine opens for a listening
// address: an unspecified host (":8080", "0.0.0.0", "[::]") listens on
// loopback too, and 127.0.0.1 is the address every browser reaches.
func listenURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	host := tcp.IP
	if host == nil || host.IsUnspecified() {
		host = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + net.JoinHostPort(host.String(), strconv.Itoa(tcp.Port))
}
