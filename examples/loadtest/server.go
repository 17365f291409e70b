package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/chatident/chatident/examples/demo/site"
)

// side is one site under load.
type side struct {
	Name    string
	Handler http.Handler
	// Injects says that a signed-in visitor's page carries chatident's
	// identity scripts, Webim's window.webim_visitor among them.
	Injects bool
}

// sideBuilder makes the two sites to compare, wrapped first; logFor gives
// each its logger, named after the side.
type sideBuilder func(logFor func(side string) *slog.Logger) ([2]side, error)

// demoSides is the demo site wrapped by chatident and the same site bare,
// with the same fresh random secrets, which die with the process.
func demoSides(logFor func(side string) *slog.Logger) ([2]side, error) {
	secrets, _, err := site.LoadSecrets(func(string) string { return "" }, rand.Reader)
	if err != nil {
		return [2]side{}, err
	}
	wrapped, err := site.New(site.Config{Secrets: secrets, Logger: logFor("wrapped"), SeedVendorsOnly: true})
	if err != nil {
		return [2]side{}, fmt.Errorf("the wrapped demo: %w", err)
	}
	bare, err := site.New(site.Config{Secrets: secrets, Logger: logFor("bare"), WithoutChatident: true})
	if err != nil {
		return [2]side{}, fmt.Errorf("the bare demo: %w", err)
	}
	return [2]side{
		{Name: "wrapped", Handler: wrapped, Injects: true},
		{Name: "bare", Handler: bare},
	}, nil
}

// Timeouts of the servers and clients: generous bounds on a hang, far
// above any latency a working run sees even on a machine busy with other
// work (where connecting 256 clients at once has taken seconds).
const (
	dialTimeout    = 30 * time.Second
	headerTimeout  = 30 * time.Second
	bodyTimeout    = 30 * time.Second
	shutdownBudget = 10 * time.Second
)

// server is a side listening on a loopback port, with the client transport
// that drives it and the cookies of its signed-in users.
type server struct {
	side
	base    string // http://127.0.0.1:PORT
	srv     *http.Server
	served  chan error
	rt      *http.Transport
	cookies [][]string // per user, the Cookie header their browser sends
}

// startServer serves s on a free 127.0.0.1 port; the server's own errors
// go to log.
func startServer(s side, cfg config, log *slog.Logger) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("%s: listening on loopback: %w", s.Name, err)
	}
	srv := &http.Server{
		Handler:           s.Handler,
		ReadHeaderTimeout: headerTimeout,
		ReadTimeout:       headerTimeout,
		WriteTimeout:      bodyTimeout,
		// Connections wait idle while the other side has its turn.
		IdleTimeout: cfg.deadline(),
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	sv := &server{
		side:   s,
		base:   "http://" + ln.Addr().String(),
		srv:    srv,
		served: make(chan error, 1),
		rt: &http.Transport{
			Proxy:                 nil, // loopback only, whatever the environment says
			DialContext:           (&net.Dialer{Timeout: dialTimeout}).DialContext,
			MaxConnsPerHost:       cfg.Conns,
			MaxIdleConnsPerHost:   cfg.Conns,
			MaxIdleConns:          cfg.Conns,
			IdleConnTimeout:       cfg.deadline(),
			ResponseHeaderTimeout: headerTimeout,
			DisableCompression:    true,
		},
	}
	go func() { sv.served <- srv.Serve(ln) }()
	return sv, nil
}

// close stops the server and drops the client's connections.
func (s *server) close() error {
	s.rt.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), shutdownBudget)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("%s: shutting down: %w", s.Name, err)
	}
	if err := <-s.served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("%s: serving: %w", s.Name, err)
	}
	return nil
}
