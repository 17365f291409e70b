package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"
)

// result is everything a run measured.
type result struct {
	Config     config
	Sides      [2]string // names, wrapped first
	Measured   [2]tally  // the measured rounds of each side
	Warmup     [2]tally
	Rounds     []round
	Memory     []memory
	LogRecords uint64    // warnings and errors the sites logged
	Samples    []string  // the first few problems
	Procs      int       // GOMAXPROCS: the cores the servers and clients share
	Load       [2]string // the machine's load averages at the start and the end
}

// round is one round's requests per second and CPU time per request of
// each side, and which went first.
type round struct {
	First int
	Rate  [2]float64
	CPU   [2]time.Duration
}

// errors is every error of the run: failed requests in the warm-up and in
// the rounds, and the sites' warnings.
func (r *result) errors() uint64 {
	n := r.LogRecords
	for i := range r.Sides {
		n += r.Measured[i].Errors.total() + r.Warmup[i].Errors.total()
	}
	return n
}

// ratio is the wrapped side's requests per second over the bare side's.
func (r *result) ratio() float64 {
	if b := r.Measured[1].rate(); b > 0 {
		return r.Measured[0].rate() / b
	}
	return 0
}

// cpuRatio is the wrapped side's CPU time per request over the bare
// side's, or 0 when it is not known.
func (r *result) cpuRatio() float64 {
	if b := r.Measured[1].cpuPerRequest(); b > 0 {
		return float64(r.Measured[0].cpuPerRequest()) / float64(b)
	}
	return 0
}

// memoryAt returns the last reading with label.
func (r *result) memoryAt(label string) (memory, bool) {
	for i := len(r.Memory) - 1; i >= 0; i-- {
		if r.Memory[i].Label == label {
			return r.Memory[i], true
		}
	}
	return memory{}, false
}

// The labels of the memory readings.
const (
	memStart  = "start"
	memWarm   = "after warm-up"
	memEndFmt = "end of %s"
)

// loadTest runs cfg against the sides build makes and reports progress, one
// line a phase, to progress. Failed requests are counted in the result, not
// returned: the error is for a run that could not be carried out (a site
// that cannot be built or signed in to, ctx ending).
func loadTest(ctx context.Context, cfg config, build sideBuilder, progress io.Writer) (*result, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	res := &result{Config: cfg, Procs: runtime.GOMAXPROCS(0)}
	res.Load[0] = loadAverage()
	res.Memory = append(res.Memory, readMemory(memStart))

	var bad samples
	logs := &problemLogs{samples: &bad}
	sides, err := build(logs.logger)
	if err != nil {
		return nil, err
	}
	var servers [2]*server
	defer func() {
		for _, s := range servers {
			if s != nil {
				_ = s.close() // after a failure; the normal path closes and checks below
			}
		}
	}()
	for i, sd := range sides {
		res.Sides[i] = sd.Name
		s, err := startServer(sd, cfg, logs.logger(sd.Name))
		if err != nil {
			return nil, err
		}
		servers[i] = s
		if err := s.signIn(ctx, cfg.Users); err != nil {
			return nil, err
		}
	}

	clients := make([]client, cfg.Conns)
	var seed uint64
	if cfg.Warmup > 0 {
		for i, s := range servers {
			seed++
			res.Warmup[i] = s.phase(ctx, cfg, clients, cfg.Warmup, seed, &bad)
			fmt.Fprintf(progress, "warm-up  %-8s %8.0f req/s\n", s.Name, res.Warmup[i].rate())
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("stopped during the warm-up: %w", context.Cause(ctx))
	}
	res.Memory = append(res.Memory, readMemory(memWarm))

	for r := range cfg.Rounds {
		seed++
		rd := round{First: r % 2}
		for k := range 2 {
			i := (rd.First + k) % 2
			t := servers[i].phase(ctx, cfg, clients, cfg.round(), seed, &bad)
			rd.Rate[i], rd.CPU[i] = t.rate(), t.cpuPerRequest()
			res.Measured[i].add(&t)
			fmt.Fprintf(progress, "round %d/%d %-8s %8.0f req/s\n", r+1, cfg.Rounds, servers[i].Name, rd.Rate[i])
			if r == cfg.Rounds-1 { // the side's last measured load
				res.Memory = append(res.Memory, readMemory(fmt.Sprintf(memEndFmt, servers[i].Name)))
			}
		}
		res.Rounds = append(res.Rounds, rd)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("stopped in round %d: %w", r+1, context.Cause(ctx))
		}
	}

	var errs []error
	for i, s := range servers {
		errs = append(errs, s.close())
		servers[i] = nil
	}
	res.Load[1] = loadAverage()
	res.LogRecords = logs.count.Load()
	res.Samples = bad.all()
	return res, errors.Join(errs...)
}
