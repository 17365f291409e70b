package middleware

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/chatident/chatident/inject"
	"github.com/chatident/chatident/vendors"
)

func TestEventsOnlyForPlacedScripts(t *testing.T) {
	for _, reason := range []inject.Reason{inject.NoMarker, inject.GaveUp, inject.BadScript, inject.Aborted} {
		rec := &recorder{}
		m := mustNew(t, Config{Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}}, Observer: rec})

		buildPage(m, visitorRequest("u-1"), reason)

		want := []Event{{Kind: EventResponse, Reason: string(reason), Held: 7}}
		if got := rec.take(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: events = %+v, want %+v", reason, got, want)
		}
	}
}

func TestObserverPanicIsContained(t *testing.T) {
	logger, logs := logBuffer()
	m := mustNew(t, Config{
		Vendors:  []vendors.Vendor{&fakeVendor{name: "webim"}},
		Observer: panicObserver{},
		Logger:   logger,
	})
	p := buildPage(m, visitorRequest("u-1"), "")
	if len(p.script) == 0 {
		t.Error("no script with a panicking observer")
	}
	if !strings.Contains(logs.String(), "observer panicked") {
		t.Errorf("log lacks the observer's panic:\n%s", logs)
	}
}

type panicObserver struct{}

func (panicObserver) Observe(context.Context, Event) { panic("metrics down") }

func TestNoObserver(t *testing.T) {
	m := mustNew(t, Config{Vendors: []vendors.Vendor{&fakeVendor{name: "webim"}}})
	if p := buildPage(m, visitorRequest("u-1"), ""); len(p.script) == 0 {
		t.Error("no script without an observer")
	}
}
