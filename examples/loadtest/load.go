package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
)

// tally is what a phase of load did on one side.
type tally struct {
	Requests   uint64 // 200 responses, checked or not, that passed
	Identified uint64 // of which from signed-in users
	Checked    uint64 // of which had their body checked
	Errors     errorCounts
	Elapsed    time.Duration // the phase's planned length: what the counts cover
	Latency    latency       // of the passing requests

	// Completed counts every response, also those that ended after the
	// window, and CPU is the process's CPU time over the whole phase: CPU
	// time per completed request does not depend on how much of the
	// machine other processes take, which requests per second does.
	Completed uint64
	CPU       time.Duration
}

func (t *tally) add(o *tally) {
	t.Requests += o.Requests
	t.Identified += o.Identified
	t.Checked += o.Checked
	t.Errors.add(o.Errors)
	t.Elapsed += o.Elapsed
	t.Latency.add(&o.Latency)
	t.Completed += o.Completed
	t.CPU += o.CPU
}

// cpuPerRequest is the process's CPU time per completed request, or 0
// when CPU time is not known here.
func (t *tally) cpuPerRequest() time.Duration {
	if t.Completed == 0 {
		return 0
	}
	return t.CPU / time.Duration(t.Completed)
}

// rate is requests per second.
func (t *tally) rate() float64 {
	if t.Elapsed <= 0 {
		return 0
	}
	return float64(t.Requests) / t.Elapsed.Seconds()
}

// client is one connection's loop. Clients are made once and reused for
// every phase on both sides, so that a long run allocates nothing per
// phase beyond the two requests each client builds.
type client struct {
	t   tally
	buf bytes.Buffer
}

// phase puts s under load from len(clients) clients for d: each sends
// GET / and reads the whole response, again and again, until d has passed.
// Requests and latencies count the responses that ended within d, as a
// fixed window; a request still in flight then completes and is checked,
// but only its errors count, so the slower side is not charged for a tail
// in which fewer clients are busy. seed fixes which requests come from
// which users, so both sides of a round get the same sequence.
func (s *server) phase(ctx context.Context, cfg config, clients []client, d time.Duration, seed uint64, bad *samples) tally {
	var stop atomic.Bool
	var wg sync.WaitGroup
	cpu0, cpuErr := cpuTime()
	timer := time.AfterFunc(d, func() { stop.Store(true) })
	defer timer.Stop()
	for i := range clients {
		c := &clients[i]
		c.t = tally{}
		wg.Go(func() { s.drive(ctx, cfg, c, &stop, rand.New(rand.NewPCG(seed, uint64(i))), bad) })
	}
	wg.Wait()
	var total tally
	for i := range clients {
		total.add(&clients[i].t)
	}
	total.Elapsed = d
	if cpu1, err := cpuTime(); err == nil && cpuErr == nil {
		total.CPU = cpu1 - cpu0
	}
	return total
}

// drive is one client's loop.
func (s *server) drive(ctx context.Context, cfg config, c *client, stop *atomic.Bool, rng *rand.Rand, bad *samples) {
	// The transport silently sends a GET again when the server drops a
	// reused connection before answering; counting the connections each
	// request took shows those drops.
	var conns int
	tctx := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { conns++ },
	})
	anon, err := http.NewRequestWithContext(tctx, http.MethodGet, s.base+"/", nil)
	if err != nil {
		c.t.Errors.Transport++
		bad.addf("%s: %v", s.Name, err)
		return
	}
	ident := anon.Clone(tctx)
	var n uint64
	for !stop.Load() && ctx.Err() == nil {
		req, identified := anon, rng.Float64() < cfg.Identified
		if identified {
			req = ident
			req.Header["Cookie"] = s.cookies[rng.IntN(len(s.cookies))]
		}
		conns = 0
		begin := time.Now()
		resp, err := s.rt.RoundTrip(req)
		if conns > 1 && ctx.Err() == nil {
			c.t.Errors.Transport++
			bad.addf("%s: the server dropped a connection; the client sent the request again", s.Name)
		}
		if err != nil {
			if ctx.Err() == nil {
				c.t.Errors.Transport++
				bad.addf("%s: %v", s.Name, err)
			}
			continue
		}
		c.buf.Reset()
		_, err = c.buf.ReadFrom(resp.Body)
		resp.Body.Close()
		took := time.Since(begin)
		c.t.Completed++
		switch {
		case err != nil:
			c.t.Errors.Transport++
			bad.addf("%s: reading the body: %v", s.Name, err)
			continue
		case resp.StatusCode != http.StatusOK:
			c.t.Errors.Status++
			bad.addf("%s: GET / (identified %v): status %d", s.Name, identified, resp.StatusCode)
			continue
		}
		late := stop.Load()
		if n++; n%uint64(cfg.CheckEvery) == 0 {
			if problem := s.checkPage(c.buf.Bytes(), identified); problem != "" {
				c.t.Errors.Body++
				bad.addf("%s: %s", s.Name, problem)
				continue
			}
			if !late {
				c.t.Checked++
			}
		}
		if late {
			continue
		}
		c.t.Requests++
		if identified {
			c.t.Identified++
		}
		c.t.Latency.record(took)
	}
}
