// Command smartmigrate migrates a Go module from blocking, context-less
// code to context-aware code, one reviewable and revertible phase at a time.
//
// Run "smartmigrate help" for the commands.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
