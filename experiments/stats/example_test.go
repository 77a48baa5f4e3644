package stats_test

import (
	"fmt"

	"github.com/port0/port0/experiments/stats"
)

// Packets sent by ten sources: one dominates, as port-0 senders usually do.
var packets = []float64{9000, 400, 200, 100, 100, 80, 60, 30, 20, 10}

func ExampleTopShare() {
	fmt.Printf("top-1 share %.2f\n", stats.TopShare(packets, 1))
	fmt.Printf("top-3 share %.2f\n", stats.TopShare(packets, 3))
	fmt.Printf("top-10 %% share %.2f\n", stats.TopFractionShare(packets, 0.10))
	// Output:
	// top-1 share 0.90
	// top-3 share 0.96
	// top-10 % share 0.90
}

func ExampleGini() {
	fmt.Printf("equal sources %.2f\n", stats.Gini([]float64{5, 5, 5, 5}))
	fmt.Printf("one of four holds all %.2f\n", stats.Gini([]float64{0, 0, 20, 0}))
	// 2·Σ i·xᵢ / (n·Σ xᵢ) − (n+1)/n = 2·97280/100000 − 1.1 = 0.8456
	fmt.Printf("ten sources above %.2f\n", stats.Gini(packets))
	// Output:
	// equal sources 0.00
	// one of four holds all 0.75
	// ten sources above 0.85
}

func ExampleBootstrapShare() {
	// 1234 port-0 packets among 500 000: the share and its 95 % interval,
	// the same for every run with seed 1.
	lo, hi := stats.BootstrapShare(1234, 500_000, 2000, 1)
	fmt.Printf("share %.4f %%, 95 %% CI [%.4f %%, %.4f %%]\n", 100*1234/500_000.0, 100*lo, 100*hi)
	// Output:
	// share 0.2468 %, 95 % CI [0.2334 %, 0.2608 %]
}
