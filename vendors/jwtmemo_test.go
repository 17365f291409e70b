package vendors

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// A visitor's JWT is reused while at least half its lifetime remains, then
// signed afresh; visitors whose claims differ only in where the fields
// split never share one.
func TestJWTMemoReuse(t *testing.T) {
	ic := &Intercom{AppID: "a1", Secret: testKey, JWTTTL: 10 * time.Minute}
	if _, err := ic.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	v := Visitor{ID: "7", Email: "a@example.com", Name: "Ann"}
	first, _ := ic.userJWT(v, testNow)
	if again, _ := ic.userJWT(v, testNow.Add(5*time.Minute)); again != first {
		t.Error("token not reused with half its lifetime left")
	}
	if later, _ := ic.userJWT(v, testNow.Add(5*time.Minute+time.Second)); later == first {
		t.Error("token reused with less than half its lifetime left")
	} else if exp := mustVerifyJWT(t, later, testKey).Claims["exp"]; exp != float64(testNow.Add(15*time.Minute+time.Second).Unix()) {
		t.Errorf("fresh token exp = %v", exp)
	}
	// A clock that went back does not get a token living longer than TTL.
	if back, _ := ic.userJWT(v, testNow.Add(-time.Minute)); back == first {
		t.Error("token reused after the clock went back")
	}
	// Moving characters between fields is another visitor.
	a, _ := ic.userJWT(Visitor{ID: "7", Email: "a@example.comAnn"}, testNow)
	b, _ := ic.userJWT(Visitor{ID: "7", Email: "a@example.com", Name: "Ann"}, testNow)
	if a == b {
		t.Error("two visitors share a token")
	}
	if jwtKey("ab", "c") == jwtKey("a", "bc") || jwtKey("", "x") == jwtKey("x", "") {
		t.Error("jwtKey is ambiguous")
	}
	// A memo size of 0 remembers nothing: a new token (the exp moved) each time.
	off := &Drift{EmbedID: "e1", SigningKey: testKey}
	if _, err := off.Prepare(Setup{Endpoints: "/x/", MemoSize: 0}); err != nil {
		t.Fatal(err)
	}
	d1, _ := off.visitorData(Visitor{ID: "7"}, testNow)
	d2, _ := off.visitorData(Visitor{ID: "7"}, testNow.Add(time.Second))
	if d1[2].Value == d2[2].Value {
		t.Error("memo of size 0 reused a token")
	}
}

// Under -race, many visitors at once each get a token with their own claims.
func TestJWTMemoIsolation(t *testing.T) {
	dr := &Drift{EmbedID: "e1", SigningKey: testKey}
	if _, err := dr.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				id := fmt.Sprintf("user-%d", (g*31+i)%97)
				d, err := dr.visitorData(Visitor{ID: id}, testNow)
				if err != nil {
					errs <- err.Error()
					return
				}
				if sub := jwtSubject(d[2].Value.(string)); sub != id {
					errs <- fmt.Sprintf("visitor %s got a token for %s", id, sub)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
