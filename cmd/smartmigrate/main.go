// Command smartmigrate migrates a Go module from blocking, context-less
// code to context-aware code, one reviewable and revertible phase at a time.
//
// Run "smartmigrate help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// The first Ctrl-C (or SIGTERM) cancels the context: an apply stops
	// and writes nothing (or, when its atomic write had begun, finishes
	// it). Once it is cancelled the default handling is back, so a second
	// Ctrl-C kills the process at once; the journal finishes or undoes an
	// interrupted write at the next command.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	os.Exit(runContext(ctx, os.Args[1:], os.Stdout, os.Stderr))
}
