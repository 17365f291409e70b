package metrics

import (
	"fmt"
	"math"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultNamespace is the prefix of every series name.
const DefaultNamespace = "chatident"

// DefaultHeldBuckets returns the upper bounds, in bytes, of
// chatident_held_bytes: powers of two from 256 B to 64 KiB. They bracket
// inject.DefaultMaxHeld (32 KiB), so pages that come close to making the
// rewriter give up stand out.
func DefaultHeldBuckets() []float64 {
	return prometheus.ExponentialBuckets(256, 2, 9)
}

// Option configures New.
type Option func(*options) error

type options struct {
	namespace string
	buckets   []float64
	vendors   []string
}

// Namespace replaces the "chatident" prefix of every series name. It must
// match [a-zA-Z_][a-zA-Z0-9_]* (colons are left to recording rules). To run two Middlewares against one
// registry, keep the namespace and tell them apart with
// prometheus.WrapRegistererWith and a constant label instead.
func Namespace(ns string) Option {
	return func(o *options) error {
		if !validMetricName(ns) {
			return fmt.Errorf("metrics: namespace %q is not a valid metric name", ns)
		}
		o.namespace = ns
		return nil
	}
}

// HeldBuckets replaces DefaultHeldBuckets(). The bounds must be increasing;
// set them to match a MaxHeld other than the default.
func HeldBuckets(bounds ...float64) Option {
	return func(o *options) error {
		if len(bounds) == 0 {
			return fmt.Errorf("metrics: HeldBuckets needs at least one bound")
		}
		for i, b := range bounds {
			if math.IsNaN(b) {
				return fmt.Errorf("metrics: HeldBuckets bound %d is NaN", i)
			}
			if i > 0 && b <= bounds[i-1] {
				return fmt.Errorf("metrics: HeldBuckets bounds must increase: %g follows %g", b, bounds[i-1])
			}
		}
		o.buckets = append([]float64(nil), bounds...)
		return nil
	}
}

// ExtraVendors creates series for vendor names before any Middleware
// reports its own (see Metrics.Labels, which middleware.New calls with the
// configured vendors), for an Observer shared with code that emits events
// itself. Events from a vendor that no Middleware configured and that is not
// added here are counted under vendor="other". Names follow the rule of
// vendors.Vendor.Name: [a-z0-9_]+, and "other" is reserved.
func ExtraVendors(names ...string) Option {
	return func(o *options) error {
		for _, n := range names {
			if err := checkVendorName(n); err != nil {
				return err
			}
		}
		o.vendors = append(o.vendors, names...)
		return nil
	}
}

func validMetricName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}
