package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// errorCounts are a side's failed requests by kind.
type errorCounts struct {
	Transport uint64 // no response, or the body could not be read
	Status    uint64 // a response other than 200
	Body      uint64 // a checked body that is not the page it should be
}

func (e errorCounts) total() uint64 { return e.Transport + e.Status + e.Body }

func (e *errorCounts) add(o errorCounts) {
	e.Transport += o.Transport
	e.Status += o.Status
	e.Body += o.Body
}

// maxSamples is how many problems a run describes; the rest are counted.
const maxSamples = 5

// samples keeps the first few descriptions of what went wrong. Problems are
// rare in a good run, so a mutex is cheap enough. Safe for concurrent use.
type samples struct {
	mu   sync.Mutex
	list []string
}

func (s *samples) addf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.list) < maxSamples {
		s.list = append(s.list, fmt.Sprintf(format, args...))
	}
}

func (s *samples) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.list)
}

// problemLogs counts and describes what the sites log at warning level or
// above: the site or chatident saw something go wrong (a vendor script that
// failed to build, say), which the load test counts as an error even when
// the page still looked right. Safe for concurrent use.
type problemLogs struct {
	count   atomic.Uint64
	samples *samples // shared with the request errors, so the first few of either are shown
}

// logger is the logger for one side's site and server.
func (p *problemLogs) logger(side string) *slog.Logger {
	return slog.New(problemLog{logs: p, side: side})
}

// problemLog is the slog.Handler behind problemLogs.logger.
type problemLog struct {
	logs  *problemLogs
	side  string
	attrs []slog.Attr
}

func (h problemLog) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h problemLog) Handle(_ context.Context, r slog.Record) error {
	h.logs.count.Add(1)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: log %s %q", h.side, r.Level, r.Message)
	write := func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	}
	for _, a := range h.attrs {
		write(a)
	}
	r.Attrs(write)
	h.logs.samples.addf("%s", b.String())
	return nil
}

func (h problemLog) WithAttrs(as []slog.Attr) slog.Handler {
	h.attrs = append(slices.Clip(h.attrs), as...)
	return h
}

// WithGroup flattens groups: the records are only described, not stored.
func (h problemLog) WithGroup(string) slog.Handler { return h }
