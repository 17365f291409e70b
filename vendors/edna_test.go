package vendors

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// ednaOpaque42 is the clientId for user id "user-42" under testIDKey:
//
//	printf '%s' 'user-42' | openssl dgst -sha256 -hmac 'test-idkey-not-a-secret-0123456789'
//	python3 -c "import hmac,hashlib;print(hmac.new(b'test-idkey-not-a-secret-0123456789',b'user-42',hashlib.sha256).hexdigest())"
const ednaOpaque42 = "508a6c73d9acbf54dff327645b74720718a37b8c146d8c4a64f3ec6281facdf9"

// runEdna runs script in node and returns the window properties it set.
func runEdna(t *testing.T, script []byte, names ...string) nodeOutput {
	t.Helper()
	return runNode(t, nodeInput{Script: string(script), Read: names})
}

// ednaClientData decodes the JSON string a page holds in clientData, keeping
// the key order.
func ednaClientData(t *testing.T, v any) (keys []string, m map[string]string) {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("clientData is %T, want a string holding JSON", v)
	}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("clientData %q is not a JSON object of strings: %v", s, err)
	}
	dec := json.NewDecoder(strings.NewReader(s))
	_, _ = dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		_, _ = dec.Token()
	}
	return keys, m
}

func TestEdnaIdentify(t *testing.T) {
	e := &Edna{
		IDKey: testIDKey,
		ClientData: func(v Visitor) map[string]string {
			return map[string]string{"personal_manager": "login", "plan": "from ClientData", "empty": ""}
		},
	}
	v := Visitor{
		ID: "user-42", Name: "Name Surname", Phone: "+7-999-999-99-99", Email: "e@mail.com",
		Company:    "not sent",
		Attributes: map[string]string{"plan": "gold", "customField": "customValue", "name": "attribute wins over Name"},
	}
	script, err := identifyJS(context.Background(), e, testRequest(), v)
	if err != nil {
		t.Fatal(err)
	}
	out := runEdna(t, script, "clientId", "clientData", "extendedAuth")
	if out.Read["clientId"] != ednaOpaque42 {
		t.Errorf("clientId = %v, want %s", out.Read["clientId"], ednaOpaque42)
	}
	keys, data := ednaClientData(t, out.Read["clientData"])
	wantKeys := []string{"name", "phone", "email", "customField", "plan", "personal_manager"}
	if strings.Join(keys, ",") != strings.Join(wantKeys, ",") {
		t.Errorf("clientData keys = %v, want %v", keys, wantKeys)
	}
	want := map[string]string{
		"name": "attribute wins over Name", "phone": "+7-999-999-99-99", "email": "e@mail.com",
		"customField": "customValue", "plan": "from ClientData", "personal_manager": "login",
	}
	for k, w := range want {
		if data[k] != w {
			t.Errorf("clientData[%s] = %q, want %q", k, data[k], w)
		}
	}
	if out.Read["extendedAuth"] != nil {
		t.Errorf("extendedAuth set without ExtendedAuth: %v", out.Read["extendedAuth"])
	}
}

func TestEdnaNamesRawIDAndExtendedAuth(t *testing.T) {
	e := &Edna{
		RawID:            true,
		ClientIDName:     "myId",
		ClientDataName:   "myData",
		ExtendedAuthName: "myAuth",
		ExtendedAuth: func(ctx context.Context, r Request, v Visitor) (map[string]string, error) {
			return map[string]string{"token": "t-" + v.ID, "type": "Bearer"}, nil
		},
	}
	script, err := identifyJS(context.Background(), e, testRequest(), Visitor{ID: "8f14e45f-ceea-467f-a0e6-a5d9b3b8c1a2"})
	if err != nil {
		t.Fatal(err)
	}
	out := runEdna(t, script, "myId", "myData", "myAuth", "clientId")
	if out.Read["myId"] != "8f14e45f-ceea-467f-a0e6-a5d9b3b8c1a2" || out.Read["clientId"] != nil {
		t.Errorf("raw id under the configured name: %v", out.Read)
	}
	if out.Read["myData"] != "{}" {
		t.Errorf("clientData for a visitor with no details = %v, want \"{}\"", out.Read["myData"])
	}
	auth, _ := out.Read["myAuth"].(map[string]any)
	if auth["token"] != "t-8f14e45f-ceea-467f-a0e6-a5d9b3b8c1a2" || auth["type"] != "Bearer" || len(auth) != 2 {
		t.Errorf("extendedAuth = %v", out.Read["myAuth"])
	}

	boom := errors.New("token service down")
	e.ExtendedAuth = func(context.Context, Request, Visitor) (map[string]string, error) { return nil, boom }
	if _, err := identifyJS(context.Background(), e, testRequest(), Visitor{ID: "1"}); !errors.Is(err, boom) {
		t.Errorf("ExtendedAuth error: got %v, want it wrapped", err)
	}
	e.ExtendedAuth = func(context.Context, Request, Visitor) (map[string]string, error) { return nil, nil }
	script, _ = identifyJS(context.Background(), e, testRequest(), Visitor{ID: "1"})
	if strings.Contains(string(scriptData(t, script)), "ext") {
		t.Errorf("empty extendedAuth was written:\n%s", script)
	}
}

func TestEdnaAnonymousAndErrors(t *testing.T) {
	e := &Edna{IDKey: testIDKey}
	if b, err := anonymousJS(context.Background(), e, testRequest()); b != nil || err != nil {
		t.Errorf("Anonymous = %q, %v; want nothing", b, err)
	}
	if _, err := identifyJS(context.Background(), e, testRequest(), Visitor{}); !errors.Is(err, ErrNoVisitorID) {
		t.Errorf("no ID: %v", err)
	}
	if _, err := identifyJS(context.Background(), (&Edna{}), testRequest(), Visitor{ID: "1"}); err == nil {
		t.Error("no IDKey: Identify must fail, never send a raw id")
	}
}

func TestEdnaResetInScript(t *testing.T) {
	for _, tt := range []struct {
		e   *Edna
		key string
	}{{&Edna{IDKey: testIDKey}, "clientId"}, {&Edna{IDKey: testIDKey, ClientIDName: "uid"}, "uid"}} {
		reset, err := resetJS(tt.e, testRequest())
		if err != nil {
			t.Fatal(err)
		}
		out := runNode(t, nodeInput{Script: string(reset), Stubs: []string{"ThreadsWidget.reInit"}})
		calls := out.calls("ThreadsWidget.reInit")
		if len(calls) != 1 || len(calls[0].Args) != 1 {
			t.Fatalf("reInit calls = %+v", out.Calls)
		}
		arg, _ := calls[0].Args[0].(map[string]any)
		if v, ok := arg[tt.key]; !ok || v != "" || len(arg) != 1 {
			t.Errorf("reInit(%v), want {%s: ''}", arg, tt.key)
		}
		// Without the widget the reset waits for the load event and then
		// does nothing.
		out = runNode(t, nodeInput{Script: string(reset)})
		if len(out.Calls) != 0 || len(out.Listeners) != 1 || out.Listeners[0] != "load" {
			t.Errorf("no widget: %+v", out)
		}
	}
}
