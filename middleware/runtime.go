package middleware

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/chatident/chatident/internal/scriptsafe"
	"github.com/chatident/chatident/vendors"
)

// The page script.
//
// Every page that gets chatident's script gets the same element text: one
// constant runtime holding every configured vendor's constant code. What
// differs per visitor is data, in the element's data-chatident attribute
// (inject.DataAttribute), as JSON:
//
//	{"v":1,"vendors":{"webim":{"reset":true,"mode":"identify","data":{…}},
//	                  "edna":{"mode":"anonymous"}, …}}
//
// v is the format's version, 1. vendors holds one entry per vendor that has
// something to do on this page, by the vendor's Name(): "reset" when the
// sign-out reset applies, "mode" ("identify" or "anonymous") when the
// vendor's identity or anonymous code applies, and "data" the values that
// vendor wrote (see vendors.Data). The runtime parses the attribute of its
// own element (document.currentScript, read so that markup cannot clobber
// it), runs every applicable reset first, then each
// vendor's code in Config order, each in its own try/catch so that one
// vendor's failure cannot stop the others.
//
// The element's text never changes while the configuration does not, so the
// 'sha256-…' source inject adds to a policy without a nonce is the same on
// every response: ScriptHash returns it for a static policy.

// buildRuntime checks each vendor's code and returns the page script.
func buildRuntime(entries []vendorEntry, identityURL string) ([]byte, error) {
	var errs []error
	var b strings.Builder
	// runtimeHead (client.go) finds the element so that markup cannot
	// clobber it, reads the data and starts the runtime.
	b.WriteString(runtimeHead + runtimeURL(identityURL) + "var V=[\n")
	var shared strings.Builder // a vendor's functions whose text repeats one of its others
	for i, e := range entries {
		if i > 0 {
			b.WriteString(",\n")
		}
		// Names match [a-z0-9_]+: safe in a string literal as they are.
		b.WriteString(`["` + e.name + `",{`)
		fields := []struct{ key, body, field string }{
			{"i", e.script.Identify, "Identify"},
			{"a", e.script.Anonymous, "Anonymous"},
			{"r", e.script.Reset, "Reset"},
			{"u", e.script.Update, "Update"},
		}
		for j, f := range fields {
			if err := checkCode(f.body); err != nil {
				errs = append(errs, fmt.Errorf("chatident: Config.Vendors[%d] (%s): Prepare returned Script.%s that %w", i, e.name, f.field, err))
			}
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString(f.key + ":")
			if f.body == "" {
				b.WriteString("null")
				continue
			}
			if k := sameAs(fields[:j], f.body); k >= 0 {
				// Written once: the same function serves both.
				b.WriteString("null")
				fmt.Fprintf(&shared, "V[%d][1].%s=V[%d][1].%s;", i, f.key, i, fields[k].key)
				continue
			}
			// A newline before the closing brace keeps a trailing //
			// comment in the body from swallowing it; bodies usually end
			// with one already.
			b.WriteString("function(d,w){" + f.body)
			if !strings.HasSuffix(f.body, "\n") {
				b.WriteString("\n")
			}
			b.WriteString("}")
		}
		b.WriteString("}]")
	}
	b.WriteString("\n];\n")
	if shared.Len() > 0 {
		b.WriteString(shared.String() + "\n")
	}
	// apply (client.go) is the one place the vendors' code is called.
	b.WriteString(clientRuntime + "})(window,document);\n")
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return []byte(b.String()), nil
}

// sameAs returns the index of the field in earlier whose body is body, or
// -1.
func sameAs(earlier []struct{ key, body, field string }, body string) int {
	for k, f := range earlier {
		if f.body == body {
			return k
		}
	}
	return -1
}

// checkCode applies the rules of vendors.Script to one function body.
func checkCode(body string) error {
	switch {
	case !scriptsafe.ASCII([]byte(body)):
		return errors.New("is not ASCII")
	case scriptsafe.BreaksOut([]byte(body)):
		return errors.New(`could end its <script> element ("</script" or "<!--")`)
	}
	return nil
}

// ScriptHash returns the CSP hash source of the page script, such as
// 'sha256-AbC…=' (quotes included). The script's text is the same on every
// page (visitor values travel in its data attribute), so a site whose
// Content-Security-Policy allows scripts by hash rather than by nonce can
// list this source in a static policy; chatident then has nothing to add. It
// changes when the configuration does (vendors, their settings, the endpoint
// prefix).
func (m *Middleware) ScriptHash() string {
	sum := sha256.Sum256(m.code)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// prepareVendor calls v.Prepare, turning a panic into an error.
func prepareVendor(v vendors.Vendor, s vendors.Setup) (script vendors.Script, err error) {
	err = call(func() error {
		var err error
		script, err = v.Prepare(s)
		return err
	})
	return script, err
}
