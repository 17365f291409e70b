// Package vendors turns a signed-in visitor into the JavaScript that identifies
// them to a support chat widget: Webim, edna Chat Center, HelpCrunch and Zendesk.
//
// Each vendor lives in its own file and follows that vendor's documented scheme
// to the byte. All values are written into scripts through one encoder that
// produces ASCII-only JavaScript literals safe inside an HTML <script> element.
package vendors
