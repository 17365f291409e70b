package metrics

import (
	"fmt"

	"github.com/chatident/chatident/vendors"
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
	switch {
	case name == "":
		return fmt.Errorf("metrics: vendor name is empty")
	case name == Other:
		return fmt.Errorf("metrics: vendor name %q is reserved for unknown vendors", name)
	case !vendors.ValidName(name):
		return fmt.Errorf("metrics: vendor name %q must match [a-z0-9_]+", name)
	}
	return nil
}
