package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// run is the whole program: it parses args, runs the load test against the
// demo, prints the report to stdout and progress to stderr, and returns an
// error when the run failed or any request did.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runSides(ctx, args, demoSides, stdout, stderr)
}

// runSides is run against the sites build makes.
func runSides(ctx context.Context, args []string, build sideBuilder, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage has been printed
	}
	if err != nil {
		return err
	}
	// The watchdog: whatever hangs, the run ends.
	ctx, cancel := context.WithTimeoutCause(ctx, cfg.deadline(), errors.New("the run overran its time bound"))
	defer cancel()
	if cfg.Serve > 0 {
		return serve(ctx, cfg, build, stdout)
	}
	res, err := profiled(cfg, func() (*result, error) { return loadTest(ctx, cfg, build, stderr) })
	if err != nil {
		return err
	}
	if err := printReport(stdout, res); err != nil {
		return err
	}
	if n := res.errors(); n > 0 {
		return fmt.Errorf("%d errors; see the report", n)
	}
	return nil
}
