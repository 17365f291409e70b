package vendors

import (
	"context"
	"testing"
)

func BenchmarkJSString(b *testing.B) {
	s := "Евгений Петров <e@example.com> 😀 " + hostileStrings[0]
	b.SetBytes(int64(len(s)))
	buf := make([]byte, 0, 1024)
	for b.Loop() {
		buf = appendJSString(buf[:0], s)
	}
}

// BenchmarkIdentify measures what one page costs each vendor: signing and
// encoding, per request.
func BenchmarkIdentify(b *testing.B) {
	v := Visitor{ID: "12345", Name: "Анна Петрова", Email: "anna@example.com", Phone: "+79990001122",
		Attributes: map[string]string{"plan": "gold"}}
	for _, vendor := range allVendors() {
		b.Run(vendor.Name(), func(b *testing.B) {
			ctx, r := context.Background(), testRequest()
			for b.Loop() {
				if _, err := identifyJS(ctx, vendor, r, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
