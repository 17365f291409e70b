// Package metrics counts what the chatident middleware does, in Prometheus.
//
// A *Metrics is a middleware.Observer: make one with New against a
// prometheus.Registerer and put it in middleware.Config.Observer. Nothing is
// registered in the global registry unless prometheus.DefaultRegisterer is
// passed explicitly.
//
// Every series has the "chatident_" prefix and only low-cardinality labels
// drawn from fixed sets (reason, vendor, result). A label value outside its
// set, such as a vendor the Metrics was not told about or a reason from a newer
// middleware, is counted under "other", so no request can create a series.
// All known label combinations exist at zero from New on, so dashboards and
// alerts see them before the first event.
//
// The series:
//
//	chatident_responses_total{reason}                   responses, by what happened to them
//	chatident_injections_total{vendor,script}           identify or anonymous scripts placed in pages
//	chatident_resets_total{vendor}                      sign-out reset scripts placed in pages
//	chatident_endpoint_requests_total{vendor,result}    vendor endpoint calls: "issued" or why not
//	chatident_script_build_errors_total{vendor,reason}  scripts a vendor failed to build
//	chatident_held_bytes                                histogram: body bytes held before the marker, injected responses only
package metrics
