// Command htmx is a small Go + htmx site with chatident: html/template
// pages, hx-boost on the body so links and forms swap pages in without a
// page load, an htmx partial (the inbox) fetched into the page, sign-in and
// sign-out forms, a consent form, and the demo's four stand-in chat widgets.
// It runs offline:
//
//	go run ./examples/htmx            # http://127.0.0.1:8081
//	go run ./examples/htmx -addr 127.0.0.1:0   # a free port, printed at start
//
// Secrets come from the same variables as the demo (CHATIDENT_WEBIM_KEY,
// CHATIDENT_EDNA_KEY, CHATIDENT_HELPCRUNCH_SECRET, CHATIDENT_ZENDESK_SECRET,
// CHATIDENT_SESSION_KEY); unset ones are made at random.
//
// What it shows:
//
//   - The inbox partial and every boosted swap are fetches, not documents:
//     chatident passes them through untouched (no script, no cookie), so a
//     sign-out reset is never spent where it cannot run.
//   - Signing in, out, or giving consent through a boosted form changes
//     every widget in place: the page script's runtime asks
//     /_chatident/identity after the swap and applies what changed.
//   - The widgets' own DOM must survive the swaps: the panels' container
//     carries hx-preserve (and data-turbo-permanent for Turbo), as a real
//     widget's container would.
//   - With Config.Consent and ConsentNothing, nothing goes to the vendors
//     until the visitor agrees; the consent form's swap starts the widgets.
//   - The Content-Security-Policy is static: the page script is the same on
//     every page, so its hash (Middleware.ScriptHash) is in the policy.
//
// The same app serves Turbo instead of htmx (see config.Frontend); the
// browser test (browser_test.go) runs it with htmx 2, htmx 4 and Turbo 8.
//
// static/htmx.min.js is htmx 2.0.11, under the Zero-Clause BSD licence
// (static/htmx.LICENSE).
package main
