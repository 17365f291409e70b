package vendors

// Notes receives what a vendor did differently for one visitor, so that it
// can be counted: the vendor's Name() and a reason from NoteReasons. It is
// called on the goroutine serving the request and never with a visitor
// value.
type Notes interface {
	Note(vendor, reason string)
}

// Reasons a vendor reports through Request.Notes.
const (
	// NoteAmbiguous: the vendor declined to identify the visitor because
	// their values would make the signed object readable as another
	// visitor's (Webim), and served its anonymous script instead.
	NoteAmbiguous = "ambiguous"
	// NoteCharset: characters the vendor's account charset cannot hold were
	// replaced by '?' in the values sent and signed (Webim in cp1251 or
	// koi8-r); the visitor is still identified.
	NoteCharset = "charset"
	// NoteNoToken: the vendor needed a token from its vendor's API for the
	// visitor and got none within its time budget (HubSpot: a timeout, a
	// refusal, an unreadable answer, or calls paused after one), and served
	// its anonymous widget instead. The vendor logs the cause once.
	NoteNoToken = "no_token"
)

// NoteReasons returns every reason a vendor of this package reports, for
// metrics that create their series up front.
func NoteReasons() []string {
	return []string{NoteAmbiguous, NoteCharset, NoteNoToken}
}

// note tells r.Notes, if any.
func (r Request) note(vendor, reason string) {
	if r.Notes != nil {
		r.Notes.Note(vendor, reason)
	}
}
