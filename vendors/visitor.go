package vendors

// Visitor is the signed-in person a page is served to, as the site knows them.
//
// ID is the only required field: it is the site's own stable user id (a database
// key, a UUID, the "sub" of a login token). Every other field is optional and is
// sent to a vendor only when that vendor has a place for it. Values are plain
// text: vendors encode them, the application must not pre-escape them.
type Visitor struct {
	ID         string
	Name       string
	Email      string
	Phone      string
	Company    string
	Login      string
	AvatarURL  string
	ProfileURL string

	// Attributes are free-form string properties (plan, account manager, ...).
	// Vendors that support custom data send them; keys are sent as given.
	Attributes map[string]string
}
