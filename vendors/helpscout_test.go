package vendors

import (
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

func TestHelpScoutSignatureVectors(t *testing.T) {
	for _, tc := range []struct{ key, email, want string }{
		// Help Scout's documented example; reproduce:
		//   printf '%s' email@email.com | openssl dgst -sha256 -hmac secret_key_from_beacon_config
		{"secret_key_from_beacon_config", "email@email.com", "9afe726c978e4a5acc34dbc68da4f518850c5d5c9d9f75afd1b3fed8755838b2"},
		//   printf '%s' 'ann@example.com' | openssl dgst -sha256 -hmac 'test-key-not-a-secret-0123456789abcdef'
		{string(testKey), "ann@example.com", "061a4e3634a92f9b999a27fcd9293bf0ad649d93e431bcca2087baf99bba3c4c"},
	} {
		var pooled hmacStates
		pooled.prepare(8, []byte(tc.key))
		for _, m := range []*hmacStates{{}, &pooled} {
			if got := helpScoutSignature(m, []byte(tc.key), tc.email); got != tc.want {
				t.Errorf("signature(%q) = %s, want %s", tc.email, got, tc.want)
			}
		}
	}
}

var lowerHex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Some Help Scout samples print the signature in base64 or as dashed
// upper-case hex (.NET's BitConverter). Beacon rejects both.
func TestHelpScoutNeverWrongForms(t *testing.T) {
	got := helpScoutSignature(&hmacStates{}, []byte("secret_key_from_beacon_config"), "email@email.com")
	// python3 -c "import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b'secret_key_from_beacon_config',b'email@email.com',hashlib.sha256).digest()).decode())"
	const b64 = "mv5ybJeOSlrMNNvGjaT1GIUMXVydn3Wv0bP+2HVYOLI="
	// python3 -c "import hmac,hashlib;print('-'.join(format(b,'02X') for b in hmac.new(b'secret_key_from_beacon_config',b'email@email.com',hashlib.sha256).digest()))"
	const dashed = "9A-FE-72-6C-97-8E-4A-5A-CC-34-DB-C6-8D-A4-F5-18-85-0C-5D-5C-9D-9F-75-AF-D1-B3-FE-D8-75-58-38-B2"
	if got == b64 || got == dashed || got == strings.ToUpper(got) {
		t.Fatalf("signature %s is in a form Beacon rejects", got)
	}
	hs := &HelpScout{BeaconID: "1f2e3d4c-5b6a-4978-8796-a5b4c3d2e1f0", SecureKey: testKey}
	if _, err := hs.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	for _, s := range hostileStrings {
		d, err := hs.visitorData(hostileVisitor(s))
		if err != nil {
			t.Fatal(err)
		}
		sig := d[len(d)-1].Value.(string)
		raw, _ := hex.DecodeString(sig)
		if !lowerHex64.MatchString(sig) || sig == base64.StdEncoding.EncodeToString(raw) {
			t.Errorf("signature for %q = %q, want 64 lowercase hex", s, sig)
		}
	}
}

const helpScoutTestID = "1f2e3d4c-5b6a-4978-8796-a5b4c3d2e1f0"

// runHelpScout runs the calls and returns Beacon's queue as method names
// and the page's scripts.
func runHelpScout(t *testing.T, hs *HelpScout, prelude string, calls ...widgetCall) ([]map[string]any, nodeOutput) {
	t.Helper()
	out := runNode(t, nodeInput{
		Script: prelude + widgetScript(t, mustPrepare(t, hs), calls...) + "window.BQ=window.Beacon.readyQueue;",
		Read:   []string{"BQ"},
	})
	raw, _ := out.Read["BQ"].([]any)
	q := make([]map[string]any, len(raw))
	for i, e := range raw {
		q[i], _ = e.(map[string]any)
	}
	return q, out
}

func TestHelpScoutPage(t *testing.T) {
	hs := &HelpScout{BeaconID: helpScoutTestID, SecureKey: testKey}
	if _, err := hs.Prepare(testSetup(testRequest())); err != nil {
		t.Fatal(err)
	}
	d, _ := hs.visitorData(Visitor{ID: "1", Name: "Ann", Email: "ann@example.com", Company: "Acme"})
	q, out := runHelpScout(t, hs, "", widgetCall{"identify", d})
	want := map[string]any{"name": "Ann", "email": "ann@example.com", "company": "Acme",
		"signature": "061a4e3634a92f9b999a27fcd9293bf0ad649d93e431bcca2087baf99bba3c4c"}
	if len(q) != 2 || q[0]["method"] != "init" || q[0]["options"] != helpScoutTestID || q[1]["method"] != "identify" ||
		!equalJSONish(q[1]["options"].(map[string]any), want) {
		t.Errorf("queue = %v\nwant init then identify %v", q, want)
	}
	if len(out.Scripts) != 1 || out.Scripts[0] != "https://beacon-v2.helpscout.net/" {
		t.Errorf("scripts = %v", out.Scripts)
	}

	// No e-mail: nothing Secure Mode can verify, so the anonymous Beacon.
	if d, err := hs.visitorData(Visitor{ID: "1", Name: "Ann"}); d != nil || err != nil {
		t.Errorf("without e-mail: %v, %v", d, err)
	}

	// Sign-out page: init once, logout, reset.
	q, _ = runHelpScout(t, hs, "", widgetCall{"reset", nil}, widgetCall{"anonymous", nil})
	if methods(q) != "init logout reset" {
		t.Errorf("queue = %v", q)
	}
	// A page whose own snippet initialised Beacon is not initialised again.
	q, _ = runHelpScout(t, hs, `window.Beacon=function(m,o,d){window.Beacon.readyQueue.push({method:m,options:o,data:d})};window.Beacon.readyQueue=[{method:"init",options:"x"}];`,
		widgetCall{"update", d})
	if methods(q) != "init logout identify" || q[0]["options"] != "x" {
		t.Errorf("queue = %v", q)
	}
}

func methods(q []map[string]any) string {
	var m []string
	for _, e := range q {
		m = append(m, e["method"].(string))
	}
	return strings.Join(m, " ")
}

func TestHelpScoutValidate(t *testing.T) {
	checkConfigErrors(t, "ok", (&HelpScout{BeaconID: helpScoutTestID, SecureKey: testKey}).Validate(), helpScoutName)
	checkConfigErrors(t, "empty", (&HelpScout{}).Validate(), helpScoutName, "BeaconID", "SecureKey")
	checkConfigErrors(t, "wrong", (&HelpScout{BeaconID: "beacon", SecureKey: []byte("short")}).Validate(), helpScoutName, "BeaconID", "SecureKey")
}
