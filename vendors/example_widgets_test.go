package vendors_test

import (
	"fmt"
	"time"

	"github.com/chatident/chatident/vendors"
)

// Every configuration mistake of a widget is reported at once, each naming
// the vendor and the field.
func ExampleIntercom_Validate() {
	ic := &vendors.Intercom{AppID: "my app", Secret: []byte("short"), Region: 7, JWTTTL: time.Second}
	fmt.Println(ic.Validate())
	// Output:
	// intercom: AppID has a character other than letters and digits
	// intercom: Secret is shorter than 16 bytes
	// intercom: Region is 7, not IntercomUS, IntercomEU or IntercomAU
	// intercom: JWTTTL is shorter than a minute
}

// HubSpot's token calls are bounded: a page waits at most Timeout, tokens
// are cached per visitor, and the failures by cause are there for a site's
// own metrics.
func ExampleHubSpot() {
	hs := &vendors.HubSpot{
		PortalID:  "123456",
		Token:     []byte("pat-na1-00000000-0000-0000-0000-000000000000"),
		Timeout:   200 * time.Millisecond,
		CacheSize: 50000,
	}
	if _, err := hs.Prepare(vendors.Setup{Endpoints: "/_chatident/hubspot/"}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hs.Failures()[vendors.HubSpotReasonTimeout], len(vendors.HubSpotReasons()))
	// Output:
	// 0 7
}
