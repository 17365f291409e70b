package middleware

import (
	"fmt"
	"net/http"
)

// consented reports whether the request's visitor has given consent
// (Config.Consent). A panicking Consent counts as no consent: when unsure,
// identify no one.
func (m *Middleware) consented(r *http.Request) (ok bool) {
	if m.consent == nil {
		return true
	}
	defer func() {
		if p := recover(); p != nil {
			m.logger.ErrorContext(r.Context(), "chatident: Config.Consent panicked; treating the visitor as not consenting",
				"panic_type", fmt.Sprintf("%T", p))
			ok = false
		}
	}()
	return m.consent(r)
}
