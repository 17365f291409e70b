package vendors_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/chatident/chatident/vendors"
)

// AcmeChat is a made-up widget, written the way a new vendor is added: one
// type, one file. Its (imaginary) documentation says: define
// window.acmeUser = {id, name, hash} before acme.js loads, where hash is
// HMAC-SHA256 of id under the account secret in hex; call
// AcmeChat.logout() after sign-out and AcmeChat.setUser(user) to change
// user in place.
type AcmeChat struct {
	Secret []byte // the account secret; never reaches the browser
}

// Name is the vendor's label in the page data, metrics and endpoint paths.
func (a *AcmeChat) Name() string { return "acme" }

// Prepare reports every configuration mistake and returns the constant code:
// it never contains a visitor value, so it is checked once and its CSP hash
// never changes.
func (a *AcmeChat) Prepare(s vendors.Setup) (vendors.Script, error) {
	var errs []error
	if len(a.Secret) < vendors.MinSecretLen {
		errs = append(errs, &vendors.ConfigError{Vendor: "acme", Field: "Secret", Problem: "is shorter than 16 bytes"})
	}
	if err := errors.Join(errs...); err != nil {
		return vendors.Script{}, err
	}
	return vendors.Script{
		Identify: `w.acmeUser=d.user;`,
		Reset:    `if(w.AcmeChat){w.AcmeChat.logout()}`,
		Update:   `w.acmeUser=d?d.user:null;if(w.AcmeChat){if(d){w.AcmeChat.setUser(d.user)}else{w.AcmeChat.logout()}}`,
	}, nil
}

// Identify writes the per-visitor values: plain data, encoded by Data.
func (a *AcmeChat) Identify(_ context.Context, _ vendors.Request, v vendors.Visitor, d *vendors.Data) error {
	if v.ID == "" {
		return vendors.ErrNoVisitorID
	}
	d.Object("user")
	d.String("id", v.ID)
	if v.Name != "" {
		d.String("name", v.Name)
	}
	m := hmac.New(sha256.New, a.Secret)
	m.Write([]byte(v.ID))
	d.String("hash", hex.EncodeToString(m.Sum(nil)))
	d.End()
	return nil
}

// A new widget: one type with Name, Prepare and Identify (see AcmeChat
// above). The hash was computed with
//
//	python3 -c "import hmac,hashlib;print(hmac.new(b'acme-secret-not-a-real-one-0123',b'user-42',hashlib.sha256).hexdigest())"
func Example_ownWidget() {
	var acme vendors.Vendor = &AcmeChat{Secret: []byte("acme-secret-not-a-real-one-0123")}
	if _, err := acme.Prepare(vendors.Setup{MemoSize: 16}); err != nil {
		panic(err)
	}
	var d vendors.Data
	d.Reset(nil)
	if err := acme.Identify(context.Background(), vendors.Request{}, vendors.Visitor{ID: "user-42", Name: "Anna </script>"}, &d); err != nil {
		panic(err)
	}
	data, _ := d.Bytes()
	fmt.Println(string(data))
	// Output:
	// {"user":{"id":"user-42","name":"Anna \u003c/script\u003e","hash":"b774dae621a722e6f88a7812b0e0b39de9afd2bd02f1a9c9aedc7f9363bd351c"}}
}
