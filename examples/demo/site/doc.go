// Package site is the chatident demo site: a page with sign-in and sign-out,
// twelve chat widgets configured against local stand-in widgets, and
// chatident around all of it. Command demo (the parent directory) serves it
// and documents its behaviour; examples/loadtest runs it in-process (with the
// four seed vendors, Config.SeedVendorsOnly), with and without chatident, to
// measure the middleware's overhead.
package site
