package main

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	values := []uint64{0, 1, 31, 32, 33, 63, 64, 65, 1000, 1 << 20, 1<<maxLatencyExp - 1, 1<<(maxLatencyExp+1) - 1}
	for range 10000 {
		values = append(values, rng.Uint64N(1<<(maxLatencyExp+1)))
	}
	for _, v := range values {
		i := bucketOf(v)
		low, high := bucketBounds(i)
		if v < low || v >= high {
			t.Fatalf("%d ns in bucket %d [%d, %d)", v, i, low, high)
		}
		if i > 0 {
			if _, prevHigh := bucketBounds(i - 1); prevHigh != low {
				t.Fatalf("bucket %d starts at %d, the one before ends at %d", i, low, prevHigh)
			}
		}
	}
	if got := bucketOf(1 << 50); got != latencyBuckets-1 {
		t.Errorf("2^50 ns in bucket %d, want the last, %d", got, latencyBuckets-1)
	}
}

// TestQuantiles compares the histogram's quantiles with the exact ones of
// the same sample, sorted.
func TestQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var l latency
	var all []time.Duration
	for range 50000 {
		// Log-normal-ish latencies from about 50 µs to 50 ms.
		d := time.Duration(50e3 * float64(uint64(1)<<rng.IntN(10)) * (1 + rng.Float64()))
		l.record(d)
		all = append(all, d)
	}
	slices.Sort(all)
	for _, q := range []float64{0.01, 0.5, 0.9, 0.99, 0.999, 1} {
		rank := int(q*float64(len(all)) + 0.999999)
		exact := all[rank-1]
		got := l.quantile(q)
		if diff := got - exact; diff < -exact/64 || diff > exact/64 {
			t.Errorf("q%v: %v, exact %v: more than 1/64 off", q, got, exact)
		}
	}
	var empty latency
	if empty.quantile(0.5) != 0 {
		t.Errorf("an empty histogram's median is not 0")
	}
	var merged latency
	merged.add(&l)
	merged.add(&l)
	if merged.n != 2*l.n || merged.quantile(0.5) != l.quantile(0.5) {
		t.Errorf("merging a histogram with itself changed its median or lost counts")
	}
}
