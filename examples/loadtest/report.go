package main

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"
)

// printReport writes res for a reader: the set-up, each side's figures, the
// ratio, the rounds, the memory and the errors.
func printReport(w io.Writer, res *result) error {
	c := res.Config
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }

	fmt.Fprintf(w, "chatident load test: the demo site wrapped by chatident (%s) against the same site bare (%s)\n", res.Sides[0], res.Sides[1])
	fmt.Fprintf(w, "  127.0.0.1 only; %d keep-alive HTTP/1.1 connections a side; %d signed-in users; %.0f%% of requests from them\n",
		c.Conns, c.Users, 100*c.Identified)
	fmt.Fprintf(w, "  warm-up %v a side; %d rounds alternating the sides, %v measured a side; every %s body checked\n",
		c.Warmup, c.Rounds, c.Duration, ordinal(c.CheckEvery))
	fmt.Fprintf(w, "  GOMAXPROCS %d: the load generator shares these cores with both servers, so compare the ratio\n", res.Procs)
	fmt.Fprintf(w, "  machine load average (1, 5, 15 min): %s at the start, %s at the end\n\n", res.Load[0], res.Load[1])

	p("side\trequests\treq/s\tp50\tp99\tCPU/request\tidentified\tchecked\terrors\t\n")
	for i, name := range res.Sides {
		t := &res.Measured[i]
		p("%s\t%d\t%.0f\t%s\t%s\t%s\t%s\t%d\t%d\t\n", name, t.Requests, t.rate(),
			ms(t.Latency.quantile(0.50)), ms(t.Latency.quantile(0.99)), us(t.cpuPerRequest()),
			percent(t.Identified, t.Requests), t.Checked, t.Errors.total())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	lo, hi := res.roundRatios()
	fmt.Fprintf(w, "\nwrapped/bare requests per second: %.3f (rounds: %.3f to %.3f)\n", res.ratio(), lo, hi)
	if r := res.cpuRatio(); r > 0 {
		wrapped, bare := res.Measured[0].cpuPerRequest(), res.Measured[1].cpuPerRequest()
		fmt.Fprintf(w, "CPU time per request, the whole process (server, clients, GC): wrapped/bare %.3f, %s more\n", r, us(wrapped-bare))
	}
	fmt.Fprintln(w)

	p("round\tfirst\t%s req/s\t%s req/s\tratio\t%s CPU/req\t%s CPU/req\t\n", res.Sides[0], res.Sides[1], res.Sides[0], res.Sides[1])
	for i, rd := range res.Rounds {
		p("%d\t%s\t%.0f\t%.0f\t%.3f\t%s\t%s\t\n", i+1, res.Sides[rd.First], rd.Rate[0], rd.Rate[1],
			safeDiv(rd.Rate[0], rd.Rate[1]), us(rd.CPU[0]), us(rd.CPU[1]))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)

	p("memory\tVmRSS\tpeak (VmHWM)\tGo heap in use\t\n")
	for _, m := range res.Memory {
		if m.Err != nil {
			p("%s\tn/a\tn/a\t%s\t\n", m.Label, mib(m.HeapInuse))
			continue
		}
		p("%s\t%s\t%s\t%s\t\n", m.Label, mib(m.RSS), mib(m.PeakRSS), mib(m.HeapInuse))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, m := range res.Memory {
		if m.Err != nil {
			fmt.Fprintf(w, "(resident memory not available: %v)\n", m.Err)
			break
		}
	}

	var measured, warm errorCounts
	for i := range res.Sides {
		measured.add(res.Measured[i].Errors)
		warm.add(res.Warmup[i].Errors)
	}
	fmt.Fprintf(w, "\nerrors: %d (rounds: %d transport, %d status, %d body; warm-up: %d; site log warnings: %d)\n",
		res.errors(), measured.Transport, measured.Status, measured.Body, warm.total(), res.LogRecords)
	for _, s := range res.Samples {
		fmt.Fprintf(w, "  %s\n", s)
	}
	return nil
}

// roundRatios is the lowest and highest wrapped/bare ratio of a round.
func (r *result) roundRatios() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, rd := range r.Rounds {
		x := safeDiv(rd.Rate[0], rd.Rate[1])
		lo, hi = min(lo, x), max(hi, x)
	}
	if len(r.Rounds) == 0 {
		return 0, 0
	}
	return lo, hi
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// us is a CPU time per request, or "n/a" when CPU time is not known.
func us(d time.Duration) string {
	if d == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1fµs", float64(d)/float64(time.Microsecond))
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func percent(part, whole uint64) string {
	if whole == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(part)/float64(whole))
}

// ordinal is "10th", "1st" and so on, for the body-check sentence.
func ordinal(n int) string {
	if n == 1 {
		return "response's"
	}
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s response's", n, suffix)
}
