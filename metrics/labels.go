package metrics

import (
	"fmt"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/vendors"
)

// Other is the label value that every unknown reason, result or vendor is
// counted under, so that the number of series stays fixed.
const Other = "other"

// responseReasons are the reasons of middleware.EventResponse: every
// inject.Reason, plus the two the middleware adds itself.
func responseReasons() []string {
	var rs []string
	for _, r := range inject.Reasons() {
		rs = append(rs, string(r))
	}
	return append(rs, "anonymous", "error")
}

// endpointResults are the results of middleware.EventToken: "issued", or the
// reason a vendor endpoint gave for issuing nothing (vendors.EndpointResult).
func endpointResults() []string {
	return []string{
		"issued",
		vendors.ReasonAnonymous,
		vendors.ReasonCrossSite,
		vendors.ReasonMethod,
		vendors.ReasonError,
		vendors.ReasonDeclined,
	}
}

// injectionScripts are the reasons of middleware.EventInjection: which
// script a vendor contributed.
func injectionScripts() []string {
	return []string{"identify", "anonymous"}
}

// buildErrorReasons are the reasons of middleware.EventBuildError: the vendor
// returned an error, panicked, or returned a script that could end its own
// <script> element.
func buildErrorReasons() []string {
	return []string{"error", "panic", "unsafe"}
}

// builtinVendors are the Name() values of the vendors package's own vendors.
func builtinVendors() []string {
	return []string{"webim", "edna", "helpcrunch", "zendesk"}
}

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
