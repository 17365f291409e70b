// Command vulncanary is a module with a known vulnerability, on purpose:
// golang.org/x/text v0.3.5, whose language.Parse can be made to panic
// (GO-2021-0113). .ci/vulncheck scans it first and requires govulncheck to
// report that finding, so that a scan which checks nothing (an empty or
// wrong database, a broken tool) cannot pass as "no vulnerabilities found".
// It is never built into anything.
package main

import (
	"fmt"
	"os"

	"golang.org/x/text/language"
)

func main() {
	tag, err := language.Parse(os.Args[len(os.Args)-1])
	fmt.Println(tag, err)
}
