package middleware

import "github.com/chatident/chatident/vendors"

// The client runtime: the part of the page script that applies page data
// and keeps widgets in step when the visitor changes without a page load.
//
// # Applying data
//
// apply(D) takes page data (see runtime.go) and, vendor by vendor in Config
// order, runs every applicable Reset first, then:
//
//   - on the page's own data, the page code: Identify or Anonymous;
//   - the first time after vendors were withheld for want of consent
//     ("withheld":true, see Config.Consent), the page code too, which loads
//     the widgets chatident loads, and then, for a signed-in visitor,
//     Update, which tells a widget the page loaded itself (edna) about the
//     visitor it started without;
//   - later (data from the identity endpoint), Update with the new identity
//     data for a signed-in visitor, so the widget changes visitor in place;
//     a vendor without Update gets its Identify code again. A visitor who is
//     now anonymous and got no Reset (no sign-out marker: SignOut disabled,
//     or consent withdrawn) gets Update with null, or Reset when the vendor
//     has no Update.
//
// Data equal to what was last applied (same vendors, modes and data, no
// reset) changes nothing: no vendor code runs.
//
// # When the runtime asks for data
//
// refresh() fetches GET <MountPath><EndpointPrefix>identity (same origin,
// credentials, no cache) and applies the answer. It runs by itself:
//
//   - htmx 2: after a boosted swap settles (htmx:afterSettle with boosted),
//     after any request other than GET (a sign-in or sign-out form posted
//     with hx-post), and on htmx:historyRestore;
//   - htmx 4: after a swap (htmx:after:swap) of a boosted request, a
//     request other than GET, or a history restore;
//   - Turbo: on turbo:load after a Drive visit (not the first page load,
//     whose data is in the page), and on turbo:submit-end of a form inside
//     a <turbo-frame> (a frame submission loads no page);
//   - on pageshow when the page comes back from the back/forward cache.
//
// window.chatident.refresh() does the same for any other application (a
// single-page app after its own sign-in call), and returns a Promise of
// whether anything changed. Calls while a request is under way share it,
// and one more request follows, so the last call always sees the latest
// identity.
//
// A second page script on the same page (from a response the application
// had injected by its own Config.Navigation) hands its data to the first
// runtime instead of starting another.
const clientRuntime = `var cur={},last=null,fresh=true,held=false,busy=null,again=false;
function key(E){var k=[],i,n,e;for(i=0;i<V.length;i++){n=V[i][0];e=E[n];` +
	`k.push(e&&e.mode?[n,e.mode,e.data===undefined?null:e.data]:[n])}return JSON.stringify(k)}
function run(f,d){if(!f){return false}try{f(d===undefined?null:d,w)}catch(x){}return true}
function apply(D){var E=D.vendors,i,n,e,c,m,was,reset=false,k=key(E),page=fresh,after=held;
for(i=0;i<V.length;i++){e=E[V[i][0]];if(e&&e.reset){reset=true}}
if(!reset&&k===last){return false}
last=k;fresh=held=D.withheld===true;
for(i=0;i<V.length;i++){e=E[V[i][0]];if(e&&e.reset){run(V[i][1].r)}}
for(i=0;i<V.length;i++){n=V[i][0];e=E[n]||{};c=V[i][1];m=e.mode||"";was=cur[n]||"";cur[n]=m;
if(m==="identify"){if(page){run(c.i,e.data);if(after){run(c.u,e.data)}}else if(!run(c.u,e.data)){run(c.i,e.data)}}
else if(m==="anonymous"&&page){run(c.a,e.data)}
else if(was==="identify"&&!e.reset&&!page){if(!run(c.u,null)){run(c.r)}}}
return true}
function get(){return fetch(U,{credentials:"same-origin",cache:"no-store",headers:{"Accept":"application/json"}})` +
	`.then(function(r){return r.ok?r.json():null}).then(function(N){return !!(N&&N.v===1&&N.vendors&&apply(N))},function(){return false})}
function refresh(){if(busy){again=true;return busy}` +
	`busy=get().then(function(ch){busy=null;if(again){again=false;return refresh().then(function(c2){return ch||c2})}return ch});return busy}
w.chatident={v:1,refresh:refresh,_apply:apply};
var L=EventTarget.prototype.addEventListener;function on(t,n,f){try{L.call(t,n,f)}catch(x){}}
on(doc,"htmx:afterSettle",function(e){var x=e.detail||{},c=x.requestConfig||{};if(x.boosted||!/^get$/i.test(c.verb||"get")){refresh()}});
on(doc,"htmx:historyRestore",function(){refresh()});
on(doc,"htmx:after:swap",function(e){var x=e.detail&&e.detail.ctx,q=x&&x.request||{},h=q.headers||{};` +
	`if(h["HX-Boosted"]||h["HX-History-Restore-Request"]||!/^get$/i.test(q.method||"get")){refresh()}});
var visited=false;on(doc,"turbo:visit",function(){visited=true});on(doc,"turbo:load",function(){if(visited){refresh()}});
on(doc,"turbo:submit-end",function(e){if(e.target&&e.target.closest&&e.target.closest("turbo-frame")){refresh()}});
on(w,"pageshow",function(e){if(e.persisted){refresh()}});
apply(D)`

// runtimeHead starts the page script: it reads the element's data and, when
// another runtime already runs on the page, hands the data to it.
//
// The element is found through Document.prototype's getter, not
// document.currentScript: Document's named properties override its
// built-ins, so markup before the element (<img name=currentScript
// data-chatident=…>, a form, an embed, an object) would otherwise hand the
// runtime a page author's or visitor's data instead of ours. Object,
// Document, Element, EventTarget and JSON are the window's own properties,
// which no element's name or id can shadow. For the same reason the runtime
// listens through EventTarget.prototype.addEventListener (a <form
// name=addEventListener> shadows document.addEventListener), and takes an
// earlier runtime's window.chatident only when its _apply is a function,
// which a clobbering element never is.
const runtimeHead = `(function(w,doc){var s,D,c;` +
	`try{s=Object.getOwnPropertyDescriptor(Document.prototype,"currentScript").get.call(doc);` +
	`D=JSON.parse(Element.prototype.getAttribute.call(s,"data-chatident"))}catch(x){return}` +
	`if(!D||D.v!==1||!D.vendors){return}` +
	`c=w.chatident;if(c&&typeof c._apply==="function"){c._apply(D);return}` + "\n"

// runtimeURL returns the declaration of U, the identity endpoint's URL path
// as pages fetch it, encoded like every value in a script.
func runtimeURL(identityURL string) string {
	return "var U=" + string(vendors.JSString(identityURL)) + ";\n"
}
