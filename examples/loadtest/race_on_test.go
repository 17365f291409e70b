//go:build race

package main

// rssGrowthBound is how much resident memory a short run may gain between
// the end of the warm-up and the end of either side. Under the race
// detector, whose shadow memory grows with every address the goroutines
// touch, a run without a leak has gained about 40 MiB, so the bound is
// wider than without it.
const rssGrowthBound = 192 << 20
