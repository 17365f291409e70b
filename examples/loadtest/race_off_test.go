//go:build !race

package main

// rssGrowthBound is how much resident memory a short run may gain between
// the end of the warm-up and the end of either side: generous (a run gains
// a few MiB), so that only a leak that grows with the requests trips it.
const rssGrowthBound = 64 << 20
