// Package c is internal: its exported functions change in place.
package c

import "os/exec"

// Run blocks; code outside the module cannot call it, so ctx goes first.
func Run() error { // want Run:"blocks via exec.Command at example.com/b/internal/c/c.go:8" `^Run blocks \(exec.Command at example.com/b/internal/c/c.go:8\) without a context.Context: add ctx context.Context as the first parameter$`
	return exec.Command("true").Run()
}
