// Command loadtest measures what chatident costs a real site: it runs the
// demo site (examples/demo/site) twice in this process, once wrapped by
// chatident as the demo serves it and once bare (the same page handler,
// sessions and headers with no middleware), and drives both with the same
// load.
//
//	go run ./examples/loadtest                       # the defaults below
//	go run ./examples/loadtest -conns 64 -duration 2s
//
// # The load
//
// Each side listens on its own 127.0.0.1 port and gets -conns concurrent
// keep-alive HTTP/1.1 connections (default 256), one client goroutine each,
// asking GET / in a loop. Before the load, -users simulated users (default
// 64) sign in on each side through POST /login; each then holds what a
// browser would: the session cookie and, on the wrapped side, chatident's
// sign-out marker from the first page. A request comes from one of those
// users with probability -identified (default 0.5) and from a fresh
// anonymous browser otherwise.
//
// Both sides first get -warmup of load (default 2s each). Then -rounds
// rounds (default 5) alternate the sides, wrapped first in odd rounds and
// bare first in even ones, so that drift in the machine's load (other
// processes, CPU frequency) falls on both sides alike; each side gets
// -duration of measured load in total (default 10s), split evenly over the
// rounds. Only one side is under load at a time.
//
// # What it checks and reports
//
// Every response must be a 200; every -check-every'th one (default 10) per
// connection also has its body checked: a signed-in visitor's page shows
// "Signed in as" and, on the wrapped side, carries Webim's signed visitor
// object in chatident's page data; an anonymous page has neither. A transport
// error, another status, a body that fails the check, or a warning the site
// or chatident logs is an error; the command exits with status 1 when there
// was any, and prints the first few.
//
// It reports, for each side, requests per second over the measured rounds
// (the responses that ended within each round's window, over the windows'
// length; a request in flight at the end is checked but not counted), the
// median and 99th-percentile latency (from sending the request to the end
// of the body, within 1.6%), the process's CPU time (user and system, from
// getrusage) per request, the errors, the wrapped/bare ratios overall and
// per round, and the process's resident memory (VmRSS and its peak VmHWM
// from /proc/self/status) and Go heap in use at start, after the warm-up and
// at the end of each side's measured load.
//
// The load generator runs in the same process and on the same cores as both
// servers, so the absolute figures say as much about the machine as about
// chatident; the ratio, measured under the same conditions for both sides,
// is the meaningful number. On a machine that other work keeps busy,
// requests per second swing from round to round with that work, while CPU
// time per request barely moves: its ratio, and the difference in
// microseconds, is then the steadier measure of what chatident adds (to the
// server's work and to the clients', its pages being larger).
//
// -serve 60s skips the load: it starts both sides, prints each one's URL and
// the Cookie header of a user signed in there, and serves for the time
// given, so that another tool can drive the very same two sites, e.g.
//
//	wrk -t2 -c256 -d10s http://127.0.0.1:PORT/
//	wrk -t2 -c256 -d10s -H 'Cookie: …' http://127.0.0.1:PORT/
//
// -cpuprofile and -memprofile write pprof profiles of the whole run, both
// servers and the clients together; pprof's -focus picks out one side, for
// instance -focus 'inject..writer..Write' for the work chatident does inside
// the page's writes.
//
// Nothing leaves loopback. The run is bounded: at most maxConns connections
// and maxMeasured of measured load per side, and a watchdog ends everything
// a fixed margin after the planned end.
package main
