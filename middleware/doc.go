// Package middleware is what applications call: it finds the signed-in
// visitor, asks each configured vendor for its script, inserts the scripts
// into HTML responses through package inject, serves the vendors' endpoints
// and clears widgets after sign-out.
package middleware
