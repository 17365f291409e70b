package vendors

import "fmt"

// ConfigError reports a configuration mistake in one field of one vendor.
// middleware.New returns it (wrapped) so that the message names both.
type ConfigError struct {
	Vendor  string // the vendor's Name()
	Field   string // the Go field name, e.g. "PrivateKey"
	Problem string // what is wrong, e.g. "is empty"
}

// Error returns "vendor: Field problem", e.g. "webim: PrivateKey is empty".
func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s: %s %s", e.Vendor, e.Field, e.Problem)
}
