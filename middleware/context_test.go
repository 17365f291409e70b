package middleware

import (
	"context"
	"reflect"
	"testing"

	"github.com/chatident/chatident/vendors"
)

func TestVisitorContext(t *testing.T) {
	if _, ok := VisitorFrom(context.Background()); ok {
		t.Error("VisitorFrom(Background) found a visitor")
	}
	want := vendors.Visitor{ID: "u-1", Name: "Ann", Attributes: map[string]string{"plan": "pro"}}
	got, ok := VisitorFrom(WithVisitor(context.Background(), want))
	if !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("VisitorFrom = %+v, %v; want %+v", got, ok, want)
	}
}
