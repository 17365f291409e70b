package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// serve starts both sides, signs one user in on each, prints each side's
// URL and that user's Cookie header to out, and serves until cfg.Serve has
// passed or ctx ends: a way to drive the very same two sites with another
// tool, such as wrk, as a cross-check of this one. The sites' warnings are
// counted and make serve fail.
func serve(ctx context.Context, cfg config, build sideBuilder, out io.Writer) error {
	var bad samples
	logs := &problemLogs{samples: &bad}
	sides, err := build(logs.logger)
	if err != nil {
		return err
	}
	var servers []*server
	defer func() {
		for _, s := range servers {
			_ = s.close() // after a failure; the normal path closes and checks below
		}
	}()
	for _, sd := range sides {
		s, err := startServer(sd, cfg, logs.logger(sd.Name))
		if err != nil {
			return err
		}
		servers = append(servers, s)
		if err := s.signIn(ctx, 1); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s %s/\n%s Cookie: %s\n", s.Name, s.base, s.Name, s.cookies[0][0])
	}
	fmt.Fprintf(out, "serving for %v\n", cfg.Serve)
	select {
	case <-ctx.Done():
	case <-time.After(cfg.Serve):
	}
	var errs []error
	for _, s := range servers {
		errs = append(errs, s.close())
	}
	servers = nil
	if n := logs.count.Load(); n > 0 {
		errs = append(errs, fmt.Errorf("the sites logged %d warnings: %q", n, bad.all()))
	}
	return errors.Join(errs...)
}
