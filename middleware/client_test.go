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

// clientStep is one thing that happens to a page in runClient: an event
// dispatched on the document or the window, or a call of
// window.chatident.refresh(). answer, when set, is what the identity
// endpoint answers the next fetches with.
type clientStep struct {
	Target string          `json:"target,omitempty"` // "document" or "window"
	Event  string          `json:"event,omitempty"`
	Detail json.RawMessage `json:"detail,omitempty"`
	Call   bool            `json:"refresh,omitempty"`
	Answer string          `json:"answer,omitempty"`
}

// runClient runs the page script in node with a page's data, then the
// steps, each after the previous one's fetches have settled. It returns
// window.log (what the vendors' code did, "fetch" for every identity
// request) and the URLs fetched.
func runClient(t *testing.T, code []byte, data string, steps []clientStep) (log []string) {
	t.Helper()
	node := testenv.LookPath(t, "node", "install Node.js")
	in, _ := json.Marshal(map[string]any{"code": string(code), "data": data, "steps": steps})
	const harness = `let s="";process.stdin.on("data",c=>s+=c).on("end",async()=>{const i=JSON.parse(s);` +
		`class Element{constructor(d){this.d=d}getAttribute(n){return n==="data-chatident"?this.d:null}}` +
		`class Document extends EventTarget{constructor(e){super();this.e=e}get currentScript(){return this.e}}` +
		`const window=new EventTarget(),document=new Document(new Element(i.data));window.log=[];let answer="{\"v\":1,\"vendors\":{}}";` +
		`window.fetch=(u,o)=>{window.log.push("fetch "+u);const a=answer;return Promise.resolve({ok:true,json:()=>Promise.resolve(JSON.parse(a))})};` +
		`function fire(t,n,d){const e=new Event(n);if(d){Object.defineProperty(e,"detail",{value:d});if("persisted" in d)Object.defineProperty(e,"persisted",{value:d.persisted})}t.dispatchEvent(e)}` +
		`new Function("window","document","fetch","Document","Element","EventTarget",i.code)(window,document,window.fetch,Document,Element,EventTarget);` +
		`const tick=()=>new Promise(r=>setTimeout(r,5));` +
		`for(const st of i.steps||[]){if(st.answer)answer=st.answer;` +
		`if(st.event)fire(st.target==="window"?window:document,st.event,st.detail);` +
		`if(st.refresh)await window.chatident.refresh();await tick();await tick()}await tick();await tick();` +
		`process.stdout.write(JSON.stringify(window.log))})`
	cmd := exec.Command(node, "-e", harness)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	return log
}

// updateVendor logs every call, with its data, and has an Update unless
// noUpdate.
func updateVendor(name string, noUpdate bool) *fakeVendor {
	return &fakeVendor{name: name, prepare: func(vendors.Setup) (vendors.Script, error) {
		sc := vendors.Script{
			Identify:  `w.log.push("` + name + `.identify:"+d.id);`,
			Anonymous: `w.log.push("` + name + `.anonymous");`,
			Reset:     `w.log.push("` + name + `.reset");`,
			Update:    `w.log.push("` + name + `.update:"+(d?d.id:null));`,
		}
		if noUpdate {
			sc.Update = ""
		}
		return sc, nil
	}}
}

func clientMiddleware(t *testing.T) *Middleware {
	return mustNew(t, Config{Vendors: []vendors.Vendor{updateVendor("webim", false), updateVendor("zendesk", true)}})
}

const (
	annData  = `{"v":1,"vendors":{"webim":{"mode":"identify","data":{"id":"ann"}},"zendesk":{"mode":"identify","data":{"id":"ann"}}}}`
	bobData  = `{"v":1,"vendors":{"webim":{"reset":true,"mode":"identify","data":{"id":"bob"}},"zendesk":{"reset":true,"mode":"identify","data":{"id":"bob"}}}}`
	outData  = `{"v":1,"vendors":{"webim":{"reset":true,"mode":"anonymous"},"zendesk":{"reset":true,"mode":"anonymous"}}}`
	anonData = `{"v":1,"vendors":{"webim":{"mode":"anonymous"},"zendesk":{"mode":"anonymous"}}}`
	heldData = `{"v":1,"withheld":true,"vendors":{}}`
)

// The runtime asks the identity endpoint after exactly the events that can
// mean a new visitor, and only once per event.
func TestClientTriggers(t *testing.T) {
	m := clientMiddleware(t)
	for _, tc := range []struct {
		name  string
		step  clientStep
		fetch bool
	}{
		{"htmx 2 boosted swap", clientStep{Event: "htmx:afterSettle", Detail: json.RawMessage(`{"boosted":true,"requestConfig":{"verb":"get"}}`)}, true},
		{"htmx 2 hx-post", clientStep{Event: "htmx:afterSettle", Detail: json.RawMessage(`{"requestConfig":{"verb":"post"}}`)}, true},
		{"htmx 2 partial GET", clientStep{Event: "htmx:afterSettle", Detail: json.RawMessage(`{"requestConfig":{"verb":"get"}}`)}, false},
		{"htmx 2 history restore", clientStep{Event: "htmx:historyRestore"}, true},
		{"htmx 4 boosted swap", clientStep{Event: "htmx:after:swap", Detail: json.RawMessage(`{"ctx":{"request":{"method":"GET","headers":{"HX-Request":"true","HX-Boosted":"true"}}}}`)}, true},
		{"htmx 4 POST", clientStep{Event: "htmx:after:swap", Detail: json.RawMessage(`{"ctx":{"request":{"method":"POST","headers":{"HX-Request":"true"}}}}`)}, true},
		{"htmx 4 history restore", clientStep{Event: "htmx:after:swap", Detail: json.RawMessage(`{"ctx":{"request":{"method":"GET","headers":{"HX-History-Restore-Request":"true"}}}}`)}, true},
		{"htmx 4 partial GET", clientStep{Event: "htmx:after:swap", Detail: json.RawMessage(`{"ctx":{"request":{"method":"GET","headers":{"HX-Request":"true"}}}}`)}, false},
		{"Turbo's first turbo:load", clientStep{Event: "turbo:load"}, false},
		{"back/forward cache", clientStep{Target: "window", Event: "pageshow", Detail: json.RawMessage(`{"persisted":true}`)}, true},
		{"ordinary pageshow", clientStep{Target: "window", Event: "pageshow", Detail: json.RawMessage(`{"persisted":false}`)}, false},
		{"refresh()", clientStep{Call: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := runClient(t, m.code, annData, []clientStep{tc.step})
			fetched := slicesCount(log, "fetch /_chatident/identity")
			if want := map[bool]int{true: 1, false: 0}[tc.fetch]; fetched != want {
				t.Errorf("%d identity requests, want %d (log %q)", fetched, want, log)
			}
		})
	}
	// A Turbo Drive visit: turbo:visit, then turbo:load.
	log := runClient(t, m.code, annData, []clientStep{{Event: "turbo:visit"}, {Event: "turbo:load"}})
	if slicesCount(log, "fetch /_chatident/identity") != 1 {
		t.Errorf("Turbo Drive visit: %q", log)
	}
}

func slicesCount(log []string, s string) int {
	n := 0
	for _, l := range log {
		if l == s {
			n++
		}
	}
	return n
}

// What the runtime does with each answer.
func TestClientApply(t *testing.T) {
	m := clientMiddleware(t)
	refresh := func(answer string) clientStep { return clientStep{Call: true, Answer: answer} }
	const fetch = "fetch /_chatident/identity"
	for _, tc := range []struct {
		name  string
		page  string
		steps []clientStep
		want  []string
	}{
		{"unchanged: no vendor code", annData, []clientStep{refresh(annData), refresh(annData)},
			[]string{"webim.identify:ann", "zendesk.identify:ann", fetch, fetch}},
		{"signed in in place: Update, or the identity code without one", anonData, []clientStep{refresh(annData)},
			[]string{"webim.anonymous", "zendesk.anonymous", fetch, "webim.update:ann", "zendesk.identify:ann"}},
		{"someone else: resets, then the new visitor", annData, []clientStep{refresh(bobData)},
			[]string{"webim.identify:ann", "zendesk.identify:ann", fetch, "webim.reset", "zendesk.reset", "webim.update:bob", "zendesk.identify:bob"}},
		{"signed out: the resets alone", annData, []clientStep{refresh(outData), refresh(anonData)},
			[]string{"webim.identify:ann", "zendesk.identify:ann", fetch, "webim.reset", "zendesk.reset", fetch}},
		{"signed out without a marker: Update with null, or Reset", annData, []clientStep{refresh(anonData)},
			[]string{"webim.identify:ann", "zendesk.identify:ann", fetch, "webim.update:null", "zendesk.reset"}},
		{"consent given: page code, then Update", heldData, []clientStep{refresh(heldData), refresh(annData), refresh(annData)},
			[]string{fetch, fetch, "webim.identify:ann", "webim.update:ann", "zendesk.identify:ann", fetch}},
		{"consent given, anonymous: the anonymous code", heldData, []clientStep{refresh(anonData)},
			[]string{fetch, "webim.anonymous", "zendesk.anonymous"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := runClient(t, m.code, tc.page, tc.steps); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("log %q\nwant %q", got, tc.want)
			}
		})
	}
}

// Calls while a request is under way share it, and one more follows.
func TestClientRefreshCoalesces(t *testing.T) {
	m := clientMiddleware(t)
	// Three calls in the same turn, before the first answer.
	code := append(append([]byte{}, m.code...), ";window.chatident.refresh();window.chatident.refresh();window.chatident.refresh();"...)
	log := runClient(t, code, annData, nil)
	if n := slicesCount(log, "fetch /_chatident/identity"); n != 2 {
		t.Errorf("three calls at once: %d requests, want 2 (one, then one more): %q", n, log)
	}
}
