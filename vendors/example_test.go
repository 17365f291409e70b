package vendors_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/chatident/chatident/vendors"
)

func ExampleAppendJS() {
	b := []byte("var user = ")
	b, err := vendors.AppendJS(b, vendors.Object{
		{Key: "name", Value: "Анна </script>"},
		{Key: "tags", Value: []string{"vip"}},
		{Key: "visits", Value: 3},
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s;\n", b)
	// Output:
	// var user = {"name":"\u0410\u043d\u043d\u0430 \u003c/script\u003e","tags":["vip"],"visits":3};
}

func ExampleJSString() {
	fmt.Printf("%s\n", vendors.JSString("it's \"quoted\" 😀"))
	// Output:
	// "it\u0027s \u0022quoted\u0022 \ud83d\ude00"
}

// exampleRequest is what the middleware passes a vendor for one page.
func exampleRequest() vendors.Request {
	return vendors.Request{
		HTTP:      httptest.NewRequest("GET", "https://shop.example.com/", nil),
		Now:       time.Unix(1700000000, 0),
		Endpoints: "/_chatident/webim/",
	}
}

// The id is opaque ("u" and the hex HMAC of the user id), the login is the
// user id between "[[" and "]]", and the signature is checked independently:
//
//	python3 -c "
//	import hmac,hashlib
//	i='u'+hmac.new(b'test-idkey-not-a-secret-0123456789',b'12345',hashlib.sha256).hexdigest()
//	s='Anna'+'anna@example.com'+i+'[[12345]]'+'1700003600'
//	print(i, hmac.new(b'test-key-not-a-secret-0123456789abcdef',s.encode(),hashlib.sha256).hexdigest())"
func ExampleWebim() {
	w := &vendors.Webim{
		PrivateKey:     []byte("test-key-not-a-secret-0123456789abcdef"), // Webim: Settings → Private keys
		IDKey:          []byte("test-idkey-not-a-secret-0123456789"),     // the site's own, never changed
		DisableRefresh: true,                                             // keeps the example short
	}
	if err := w.Validate(); err != nil {
		panic(err)
	}
	v := vendors.Visitor{ID: "12345", Name: "Anna", Email: "anna@example.com"}
	script, err := w.Identify(context.Background(), exampleRequest(), v)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s", script)
	// Output:
	// window.webim_visitor = {"fields":{"display_name":"Anna","email":"anna@example.com","id":"u6714b7c137c3650e2d09e8ced639d370cf6c36cee5cf7149b5146de812727484","login":"[[12345]]"},"expires":1700003600,"hash":"92117a6c8a854fb2a905b808f01521cb16f512113250def0af6cd506b7d44348"};
}

func ExampleWebim_ProvidedVisitorURL() {
	w := &vendors.Webim{
		PrivateKey: []byte("test-key-not-a-secret-0123456789abcdef"),
		IDKey:      []byte("test-idkey-not-a-secret-0123456789"),
	}
	link, err := w.ProvidedVisitorURL(exampleRequest(), vendors.Visitor{ID: "12345"}, "demo",
		&vendors.WebimStartPage{Title: "Orders", URL: "https://shop.example.com/orders"})
	if err != nil {
		panic(err)
	}
	fmt.Println(link[:60])
	// Output:
	// https://demo.webim.ru/webim/client.php?provided-visitor=%7B%
}

// The clientId is HMAC-SHA256 of the user id:
//
//	printf '%s' 'user-42' | openssl dgst -sha256 -hmac 'test-idkey-not-a-secret-0123456789'
func ExampleEdna() {
	e := &vendors.Edna{
		IDKey: []byte("test-idkey-not-a-secret-0123456789"), // never changed once in use
		ClientData: func(v vendors.Visitor) map[string]string {
			return map[string]string{"personal_manager": "olga"}
		},
	}
	if err := e.Validate(); err != nil {
		panic(err)
	}
	v := vendors.Visitor{ID: "user-42", Name: "Anna", Email: "anna@example.com"}
	script, err := e.Identify(context.Background(), exampleRequest(), v)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s", script)
	// Output:
	// window["clientId"] = "508a6c73d9acbf54dff327645b74720718a37b8c146d8c4a64f3ec6281facdf9";
	// window["clientData"] = "{\u0022name\u0022:\u0022Anna\u0022,\u0022email\u0022:\u0022anna@example.com\u0022,\u0022personal_manager\u0022:\u0022olga\u0022}";
}

// The user_id is the opaque HMAC-SHA256(Secret, ID), and security_hash is
// HMAC-SHA256 of that user_id:
//
//	printf '%s' 12345 | openssl dgst -sha256 -hmac 'test-key-not-a-secret-0123456789abcdef'
//	python3 -c "import hmac,hashlib;k=b'test-key-not-a-secret-0123456789abcdef';u=hmac.new(k,b'12345',hashlib.sha256).hexdigest();print(hmac.new(k,u.encode(),hashlib.sha256).hexdigest())"
func ExampleHelpCrunch() {
	h := &vendors.HelpCrunch{
		Organization: "acme",
		AppID:        "1",
		Secret:       []byte("test-key-not-a-secret-0123456789abcdef"), // never rotated on a live install
	}
	if err := h.Validate(); err != nil {
		panic(err)
	}
	v := vendors.Visitor{ID: "12345", Name: "Anna"}
	script, err := h.Identify(context.Background(), exampleRequest(), v)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s", script)
	// Output:
	// (function(w){if(!w.HelpCrunch){w.HelpCrunch=function(){w.HelpCrunch.q.push(arguments)};w.HelpCrunch.q=[]}})(window);
	// (function(d){var e=d.createElement("script");e.async=true;e.src="https://acme.widget.helpcrunch.com/";var l=d.getElementsByTagName("script");for(var i=0;i<l.length;i++){if(l[i].src===e.src){return}}(d.head||d.documentElement).appendChild(e)})(document);
	// HelpCrunch("init","acme",{"appId":"1","user":{"user_id":"19c69b9239f5630e5404b696e6e8104d5d6d68564ea73aedbd417eab8fd71103","name":"Anna","security_hash":"0d7149f5d7f156187e2f0bf6decc6f7481df5cb0c6942226d2dc65c19e240a4e"}});
	// HelpCrunch("showChatWidget");
}

func ExampleZendesk() {
	z := &vendors.Zendesk{
		Flavor: vendors.ZendeskMessaging,
		Secret: []byte("test-key-not-a-secret-0123456789abcdef"), // the signing key's secret
		KeyID:  "app_0123456789abcdef",                           // and its id
	}
	if err := z.Validate(); err != nil {
		panic(err)
	}
	r := exampleRequest()
	r.Endpoints = "/_chatident/zendesk/"
	script, err := z.Identify(context.Background(), r, vendors.Visitor{ID: "12345"})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s", script)
	for _, ep := range z.Endpoints() {
		fmt.Println("endpoint:", r.Endpoints+ep.Path)
	}
	// Output:
	// (function(w){function f(){if(!(typeof w.zE==="function")){return false}w.zE("messenger","loginUser",function(cb){fetch(new URL("/_chatident/zendesk/token",window.location.href).href,{credentials:"include",headers:{"Accept":"application/json"}}).then(function(r){if(!r.ok){throw new Error("zendesk token: HTTP "+r.status)}return r.json()}).then(function(j){cb(j.token)})["catch"](function(){})});return true}if(!f()&&w.addEventListener){w.addEventListener("load",function(){f()})}})(window);
	// endpoint: /_chatident/zendesk/token
}
