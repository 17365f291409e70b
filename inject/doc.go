// Package inject is a streaming HTML rewriter packaged as net/http middleware:
// it inserts one <script> element into eligible HTML responses at a configured
// place, passing every other byte through unchanged.
//
// It depends on the standard library only and knows nothing about vendors; the
// script comes from a function of the request.
package inject
