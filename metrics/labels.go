package metrics

import (
	"fmt"
)

// Other is the label value that every unknown reason, result or vendor is
// counted under, so that the number of series stays fixed.
const Other = "other"

// The label values come from the packages that report them
// (middleware.ResponseReasons, InjectionScripts, BuildErrorReasons,
// EndpointResults, vendors.NoteReasons) and the vendor names from the configured vendors (see
// Labels); nothing is copied here.

// checkVendorName applies the rule vendors.Vendor documents for Name.
func checkVendorName(name string) error {
	if name == "" {
		return fmt.Errorf("metrics: vendor name is empty")
	}
	if name == Other {
		return fmt.Errorf("metrics: vendor name %q is reserved for unknown vendors", name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return fmt.Errorf("metrics: vendor name %q must match [a-z0-9_]+", name)
		}
	}
	return nil
}
