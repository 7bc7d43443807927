// Package broken does not type-check: its finding has no fix, since the
// rewrite would read half-typed code.
package broken

import "os/exec"

func run() error { // want run:"blocks via exec.Command" `^run blocks`
	return exec.Command("true").Run()
}

var _ = undefined
