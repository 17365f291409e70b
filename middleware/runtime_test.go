package middleware

import (
	"encoding/json"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/chatident/chatident/internal/testenv"
	"github.com/chatident/chatident/vendors"
)

// logVendor is a fakeVendor whose code logs what it is called with into
// window.log, and whose Identify code throws when throws is set.
func logVendor(name string, throws bool) *fakeVendor {
	return &fakeVendor{name: name, prepare: func(vendors.Setup) (vendors.Script, error) {
		id := `w.log.push("` + name + `.identify:"+d.id);`
		if throws {
			id = `throw new Error("broken");`
		}
		return vendors.Script{
			Identify:  id,
			Anonymous: `w.log.push("` + name + `.anonymous:"+JSON.stringify(d));`,
			Reset:     `w.log.push("` + name + `.reset:"+d);`,
			Update:    `w.log.push("` + name + `.update");`,
		}, nil
	}}
}

// runPage runs the page script in node as a browser would run the inserted
// element: Document.prototype's currentScript getter returns the element,
// whose data-chatident attribute holds data. It returns window.log.
func runPage(t *testing.T, code, data []byte) []string {
	return runPageClobbered(t, code, data, "")
}

// runPageClobbered is runPage with document.currentScript itself shadowed,
// as markup named currentScript does in a browser, by an element whose
// data-chatident holds clobber (when not "").
func runPageClobbered(t *testing.T, code, data []byte, clobber string) []string {
	t.Helper()
	node := testenv.LookPath(t, "node", "install Node.js")
	in, _ := json.Marshal(map[string]string{"code": string(code), "data": string(data), "clobber": clobber})
	const harness = `let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{const i=JSON.parse(s);` +
		`class Element{constructor(d){this.d=d}getAttribute(n){return n==="data-chatident"?this.d:null}}` +
		`class Document{constructor(e){this.e=e}get currentScript(){return this.e}}` +
		`const window={log:[]};const document=new Document(new Element(i.data));` +
		`if(i.clobber){Object.defineProperty(document,"currentScript",{value:new Element(i.clobber)})}` +
		`new Function("window","document","Document","Element",i.code)(window,document,Document,Element);` +
		`process.stdout.write(JSON.stringify(window.log))})`
	cmd := exec.Command(node, "-e", harness)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var log []string
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	return log
}

// TestRuntimeOrderAndIsolation: the page runtime runs every reset first, then
// each vendor's code in Config order with its own data; one vendor that
// throws does not stop the others.
func TestRuntimeOrderAndIsolation(t *testing.T) {
	m := mustNew(t, Config{
		Vendors: []vendors.Vendor{logVendor("webim", false), logVendor("broken", true), logVendor("zendesk", false)},
		SignOut: SignOut{HashKey: []byte(testKey)},
	})
	marker := markerFrom(t, buildPage(m, visitorRequest("ann"), ""))
	p := buildPage(m, visitorRequest("bob", marker), "") // someone else on the same browser
	got := runPage(t, m.code, p.data)
	want := []string{"webim.reset:null", "broken.reset:null", "zendesk.reset:null", "webim.identify:bob", "zendesk.identify:bob"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("log = %q\nwant  %q", got, want)
	}

	p = buildPage(m, withCookies("/"), "")
	if got, want := runPage(t, m.code, p.data), []string{"webim.anonymous:{}", "broken.anonymous:{}", "zendesk.anonymous:{}"}; !reflect.DeepEqual(got, want) {
		t.Errorf("anonymous log = %q, want %q", got, want)
	}

	// Data that is not the format (another version, not JSON) runs nothing.
	for _, bad := range []string{`{"v":2,"vendors":{"webim":{"mode":"anonymous"}}}`, `not json`, ``} {
		if got := runPage(t, m.code, []byte(bad)); len(got) != 0 {
			t.Errorf("data %q ran %q", bad, got)
		}
	}
}

// TestRuntimeSharesRepeatedCode: a vendor whose Anonymous code is its
// Identify code has it written once, and both pages run it.
func TestRuntimeSharesRepeatedCode(t *testing.T) {
	const body = `w.log.push("same:"+JSON.stringify(d));`
	same := &fakeVendor{name: "same", prepare: func(vendors.Setup) (vendors.Script, error) {
		return vendors.Script{Identify: body, Anonymous: body, Reset: `w.log.push("same.reset");`}, nil
	}}
	m := mustNew(t, Config{Vendors: []vendors.Vendor{same}, SignOut: SignOut{Disabled: true}})
	if n := strings.Count(string(m.code), body); n != 1 {
		t.Errorf("the shared body is written %d times, want once", n)
	}
	p := buildPage(m, visitorRequest("ann"), "")
	if got, want := runPage(t, m.code, p.data), []string{`same:{"id":"ann","endpoints":"/_chatident/same/"}`}; !reflect.DeepEqual(got, want) {
		t.Errorf("identified: %q, want %q", got, want)
	}
	p = buildPage(m, withCookies("/"), "")
	if got, want := runPage(t, m.code, p.data), []string{`same:{}`}; !reflect.DeepEqual(got, want) {
		t.Errorf("anonymous: %q, want %q", got, want)
	}
}

// TestRuntimeCodeEndingInAComment: a vendor body that ends in a // comment
// without a newline still runs, and so does the vendor after it: the
// runtime ends such a body with a newline before its closing brace. Bodies
// that end with a newline get no second one.
func TestRuntimeCodeEndingInAComment(t *testing.T) {
	commented := &fakeVendor{name: "commented", prepare: func(vendors.Setup) (vendors.Script, error) {
		return vendors.Script{Identify: `w.log.push("commented:"+d.id); // the last line`}, nil
	}}
	ended := &fakeVendor{name: "ended", prepare: func(vendors.Setup) (vendors.Script, error) {
		return vendors.Script{Identify: "w.log.push(\"ended:\"+d.id);\n"}, nil
	}}
	m := mustNew(t, Config{Vendors: []vendors.Vendor{commented, ended}, SignOut: SignOut{Disabled: true}})
	if strings.Contains(string(m.code), "\n\n") {
		t.Errorf("page code holds an empty line:\n%s", m.code)
	}
	p := buildPage(m, visitorRequest("ann"), "")
	if got, want := runPage(t, m.code, p.data), []string{"commented:ann", "ended:ann"}; !reflect.DeepEqual(got, want) {
		t.Errorf("log = %q, want %q", got, want)
	}
}
