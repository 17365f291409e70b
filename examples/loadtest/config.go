package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// config is one load test run, as the flags set it.
type config struct {
	Conns      int           // concurrent connections per side
	Users      int           // simulated signed-in users per side
	Identified float64       // share of requests from signed-in users, 0 to 1
	Duration   time.Duration // measured load per side, over all rounds
	Warmup     time.Duration // unmeasured load per side before the rounds
	Rounds     int           // rounds alternating the sides
	CheckEvery int           // check the body of every n-th response per connection
	Serve      time.Duration // serve both sides this long for an outside tool, instead of the load
	CPUProfile string        // write a CPU profile of the whole run here, if set
	MemProfile string        // write an allocation profile at the end here, if set
}

// The bounds of a run: a load test that a typo could make unbounded would
// not stop by itself.
const (
	maxConns      = 4096
	maxUsers      = 10000
	maxRounds     = 100
	maxMeasured   = 10 * time.Minute
	minRound      = 100 * time.Millisecond
	watchdogSlack = 2 * time.Minute
)

// defaultConfig is the run the README reports.
func defaultConfig() config {
	return config{
		Conns:      256,
		Users:      64,
		Identified: 0.5,
		Duration:   10 * time.Second,
		Warmup:     2 * time.Second,
		Rounds:     5,
		CheckEvery: 10,
	}
}

// parseFlags reads args into a config; usage and errors go to out.
func parseFlags(args []string, out io.Writer) (config, error) {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.IntVar(&cfg.Conns, "conns", cfg.Conns, "concurrent keep-alive connections per side")
	fs.IntVar(&cfg.Users, "users", cfg.Users, "simulated users who sign in on each side")
	fs.Float64Var(&cfg.Identified, "identified", cfg.Identified, "share of requests from signed-in users (0 to 1); the rest are anonymous")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "measured load per side, split over the rounds")
	fs.DurationVar(&cfg.Warmup, "warmup", cfg.Warmup, "unmeasured load per side before the rounds (0 for none)")
	fs.IntVar(&cfg.Rounds, "rounds", cfg.Rounds, "rounds alternating the sides")
	fs.IntVar(&cfg.CheckEvery, "check-every", cfg.CheckEvery, "check the body of every n-th response on each connection")
	fs.DurationVar(&cfg.Serve, "serve", 0, "only serve both sides this long, printing their URLs and a signed-in user's Cookie header, for another load tool")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the run (both servers and the clients) to this file")
	fs.StringVar(&cfg.MemProfile, "memprofile", "", "write an allocation profile of the run to this file at the end")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return cfg, cfg.validate()
}

// validate reports the first setting outside the run's bounds.
func (c config) validate() error {
	switch {
	case c.Conns < 1 || c.Conns > maxConns:
		return fmt.Errorf("-conns %d: want 1 to %d", c.Conns, maxConns)
	case c.Users < 1 || c.Users > maxUsers:
		return fmt.Errorf("-users %d: want 1 to %d", c.Users, maxUsers)
	case !(c.Identified >= 0 && c.Identified <= 1): // also refuses NaN
		return fmt.Errorf("-identified %v: want a share from 0 to 1", c.Identified)
	case c.Rounds < 1 || c.Rounds > maxRounds:
		return fmt.Errorf("-rounds %d: want 1 to %d", c.Rounds, maxRounds)
	case c.Duration > maxMeasured:
		return fmt.Errorf("-duration %v: want at most %v", c.Duration, maxMeasured)
	case c.Duration < time.Duration(c.Rounds)*minRound:
		return fmt.Errorf("-duration %v over %d rounds: want at least %v a round", c.Duration, c.Rounds, minRound)
	case c.Warmup < 0 || c.Warmup > maxMeasured:
		return fmt.Errorf("-warmup %v: want 0 to %v", c.Warmup, maxMeasured)
	case c.Serve < 0 || c.Serve > maxMeasured:
		return fmt.Errorf("-serve %v: want 0 to %v", c.Serve, maxMeasured)
	case c.CheckEvery < 1:
		return fmt.Errorf("-check-every %d: want at least 1", c.CheckEvery)
	}
	return nil
}

// round is each side's share of the measured load in one round.
func (c config) round() time.Duration { return c.Duration / time.Duration(c.Rounds) }

// deadline bounds the whole run: the planned load plus a margin for
// signing in, starting and stopping.
func (c config) deadline() time.Duration {
	if c.Serve > 0 {
		return c.Serve + watchdogSlack
	}
	return 2*(c.Warmup+c.Duration) + watchdogSlack
}
