// Package cicheck holds the tests of the CI scripts in .ci: that they fail
// when they cannot check what they are for, rather than pass.
package cicheck
