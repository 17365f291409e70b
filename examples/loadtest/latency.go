package main

import (
	"math/bits"
	"time"
)

// latency is a histogram of durations with a fixed size and a bounded
// relative error, so that recording a request allocates nothing and the
// load test's own memory does not grow with the number of requests.
//
// Durations in nanoseconds fall into buckets of 1/32 of a power of two
// (log-linear, as HDR histograms do): below 32 ns each bucket is one
// nanosecond; above, a bucket spans 1/32 of its lower bound, so reporting
// its midpoint is within 1/64 (1.6%) of any value in it.
type latency struct {
	counts [latencyBuckets]uint64
	n      uint64
}

const (
	subBits        = 5 // 32 buckets per power of two
	subBuckets     = 1 << subBits
	maxLatencyExp  = 36 // 2^36 ns is about 69 s; longer ones share the last bucket
	latencyBuckets = (maxLatencyExp-subBits+1)<<subBits + subBuckets
)

// bucketOf is the bucket of v nanoseconds.
func bucketOf(v uint64) int {
	if v < subBuckets {
		return int(v)
	}
	e := bits.Len64(v) - 1
	if e > maxLatencyExp {
		return latencyBuckets - 1
	}
	return (e-subBits+1)<<subBits + int(v>>(e-subBits)&(subBuckets-1))
}

// bucketBounds is the range [low, high) of bucket i in nanoseconds.
func bucketBounds(i int) (low, high uint64) {
	if i < subBuckets {
		return uint64(i), uint64(i) + 1
	}
	e := i>>subBits + subBits - 1
	m := uint64(i & (subBuckets - 1))
	width := uint64(1) << (e - subBits)
	low = (subBuckets + m) * width
	return low, low + width
}

// record adds one duration; a negative one (a clock step) counts as zero.
func (l *latency) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	l.counts[bucketOf(uint64(d))]++
	l.n++
}

// add merges o into l.
func (l *latency) add(o *latency) {
	for i, c := range o.counts {
		l.counts[i] += c
	}
	l.n += o.n
}

// quantile returns the duration below which a share q (0 < q <= 1) of the
// recorded ones fall: the midpoint of the bucket holding the ceil(q*n)-th
// smallest. It is 0 when nothing was recorded.
func (l *latency) quantile(q float64) time.Duration {
	if l.n == 0 {
		return 0
	}
	rank := uint64(q * float64(l.n))
	if float64(rank) < q*float64(l.n) {
		rank++
	}
	rank = max(rank, 1)
	var seen uint64
	for i, c := range l.counts {
		seen += c
		if seen >= rank {
			low, high := bucketBounds(i)
			return time.Duration(low + (high-low)/2)
		}
	}
	return 0 // unreachable: the counts sum to n
}
