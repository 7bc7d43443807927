// Package store is internal: its functions take ctx in place.
package store

import "os/exec"

// backup blocks.
func backup(dir string) error { // want backup:"blocks via exec.Command" `^backup blocks \(exec.Command at example.com/fix/internal/store/store.go:8\) without a context.Context: add ctx context.Context as the first parameter$`
	return exec.Command("tar", "czf", "backup.tgz", dir).Run()
}

// Sync is exported: other packages may call it, and a fix of one package
// could not update them, so it is reported without a fix.
func Sync() error { // want Sync:"blocks via exec.Command" `^Sync blocks \(exec.Command at example.com/fix/internal/store/store.go:\d+\) without a context.Context: add ctx context.Context as the first parameter$`
	return exec.Command("sync").Run()
}
