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

// pageData is what the middleware does for one vendor on one identified
// page: Prepare once (in New), then Identify per page into the page's data.
func pageData(v vendors.Vendor, visitor vendors.Visitor) string {
	r := exampleRequest()
	if _, err := v.Prepare(vendors.Setup{Endpoints: r.Endpoints, MemoSize: 16}); err != nil {
		panic(err)
	}
	var d vendors.Data
	d.Reset(nil)
	if err := v.Identify(context.Background(), r, visitor, &d); err != nil {
		panic(err)
	}
	b, err := d.Bytes()
	if err != nil {
		panic(err)
	}
	return string(b)
}

// The page gets Webim's constant code and this data; the code sets
// window.webim_visitor = d.visitor before Webim's button.js runs. The id is
// opaque ("u" and the hex HMAC of the user id), the login is the user id
// between "[[" and "]]", expires is cut to the minute (see Webim), and the
// signature is checked independently:
//
//	python3 -c "
//	import hmac,hashlib
//	i='u'+hmac.new(b'test-idkey-not-a-secret-0123456789',b'12345',hashlib.sha256).hexdigest()
//	s='Anna'+'anna@example.com'+i+'[[12345]]'+'1700003580'
//	print(i, hmac.new(b'test-key-not-a-secret-0123456789abcdef',s.encode(),hashlib.sha256).hexdigest())"
func ExampleWebim() {
	w := &vendors.Webim{
		PrivateKey:     []byte("test-key-not-a-secret-0123456789abcdef"), // Webim: Settings → Private keys
		IDKey:          []byte("test-idkey-not-a-secret-0123456789"),     // the site's own, never changed
		DisableRefresh: true,
	}
	fmt.Println(pageData(w, vendors.Visitor{ID: "12345", Name: "Anna", Email: "anna@example.com"}))
	// Output:
	// {"visitor":{"fields":{"display_name":"Anna","email":"anna@example.com","id":"u6714b7c137c3650e2d09e8ced639d370cf6c36cee5cf7149b5146de812727484","login":"[[12345]]"},"expires":1700003580,"hash":"6c110bd623d390975e0d2e7cf5a81c91409f245b14673b46924810f4e40e92e3"}}
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

// The clientId is HMAC-SHA256 of the user id; edna's code stores it in
// window.clientId and JSON.stringify(d.data) in window.clientData:
//
//	printf '%s' 'user-42' | openssl dgst -sha256 -hmac 'test-idkey-not-a-secret-0123456789'
func ExampleEdna() {
	e := &vendors.Edna{
		IDKey: []byte("test-idkey-not-a-secret-0123456789"), // never changed once in use
		ClientData: func(v vendors.Visitor) map[string]string {
			return map[string]string{"personal_manager": "olga"}
		},
	}
	fmt.Println(pageData(e, vendors.Visitor{ID: "user-42", Name: "Anna", Email: "anna@example.com"}))
	// Output:
	// {"id":"508a6c73d9acbf54dff327645b74720718a37b8c146d8c4a64f3ec6281facdf9","data":{"name":"Anna","email":"anna@example.com","personal_manager":"olga"}}
}

// The user_id is the opaque HMAC-SHA256(Secret, ID), and security_hash is
// HMAC-SHA256 of that user_id; HelpCrunch's code passes d.user to
// HelpCrunch('init', …):
//
//	printf '%s' 12345 | openssl dgst -sha256 -hmac 'test-key-not-a-secret-0123456789abcdef'
//	python3 -c "import hmac,hashlib;k=b'test-key-not-a-secret-0123456789abcdef';u=hmac.new(k,b'12345',hashlib.sha256).hexdigest();print(hmac.new(k,u.encode(),hashlib.sha256).hexdigest())"
func ExampleHelpCrunch() {
	h := &vendors.HelpCrunch{
		Organization: "acme",
		AppID:        "1",
		Secret:       []byte("test-key-not-a-secret-0123456789abcdef"), // never rotated on a live install
	}
	fmt.Println(pageData(h, vendors.Visitor{ID: "12345", Name: "Anna"}))
	// Output:
	// {"user":{"user_id":"19c69b9239f5630e5404b696e6e8104d5d6d68564ea73aedbd417eab8fd71103","name":"Anna","security_hash":"0d7149f5d7f156187e2f0bf6decc6f7481df5cb0c6942226d2dc65c19e240a4e"}}
}

// Zendesk's page data is empty: its constant code fetches a short-lived
// token from the token endpoint, which signs the visitor the request's
// cookies say is signed in.
func ExampleZendesk() {
	z := &vendors.Zendesk{
		Flavor: vendors.ZendeskMessaging,
		Secret: []byte("test-key-not-a-secret-0123456789abcdef"), // the signing key's secret
		KeyID:  "app_0123456789abcdef",                           // and its id
	}
	s, err := z.Prepare(vendors.Setup{Endpoints: "/_chatident/zendesk/"})
	if err != nil {
		panic(err)
	}
	fmt.Print(s.Identify)
	for _, ep := range z.Endpoints() {
		fmt.Println("endpoint:", "/_chatident/zendesk/"+ep.Path)
	}
	// Output:
	// (function(w){function f(){if(!(typeof w.zE==="function")){return false}w.zE("messenger","loginUser",function(cb){fetch(new URL("/_chatident/zendesk/token",window.location.href).href,{credentials:"include",headers:{"Accept":"application/json"}}).then(function(r){if(!r.ok){throw new Error("zendesk token: HTTP "+r.status)}return r.json()}).then(function(j){cb(j.token)})["catch"](function(){})});return true}if(!f()&&w.addEventListener){w.addEventListener("load",function(){f()})}})(window);
	// endpoint: /_chatident/zendesk/token
}
