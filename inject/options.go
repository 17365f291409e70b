package inject

import "net/http"

// Placement says where in the page the script is inserted.
type Placement int

const (
	// AfterHeadOpen inserts right after the first <head> start tag, so the
	// identity exists before any vendor loader the page already has. When the
	// page has no <head> tag, the script goes where the HTML parser opens the
	// head implicitly. This is the default.
	AfterHeadOpen Placement = iota
	// BeforeHeadClose inserts right before the first </head> end tag.
	BeforeHeadClose
	// BeforeBodyClose inserts right before the first </body> end tag.
	BeforeBodyClose
)

// Option configures Handler.
type Option func(*config)

type config struct {
	placement Placement
	observer  func(*http.Request, Outcome)
	maxHeld   int
	eligible  func(status int) bool
}

// DefaultMaxHeld is the default cap on body bytes held back while looking for
// the marker; see MaxHeld.
const DefaultMaxHeld = 32 << 10

// At sets the placement. The default is AfterHeadOpen.
func At(p Placement) Option { return func(c *config) { c.placement = p } }

// Observe registers f to receive exactly one Outcome per response that
// reached the handler, after the handler has returned.
func Observe(f func(*http.Request, Outcome)) Option { return func(c *config) { c.observer = f } }

// MaxHeld caps the body bytes held back while looking for the marker.
func MaxHeld(n int) Option { return func(c *config) { c.maxHeld = n } }

// Statuses sets which final status codes are eligible for insertion. The
// default accepts 2xx except 204 No Content and 206 Partial Content.
func Statuses(f func(status int) bool) Option { return func(c *config) { c.eligible = f } }
