// Package store is internal: its functions take ctx in place.
package store

import "os/exec"

// backup blocks.
func backup(dir string) error { // want backup:"blocks via exec.Command" `^backup blocks \(exec.Command at example.com/fix/internal/store/store.go:8\) without a context.Context: add ctx context.Context as the first parameter$`
	return exec.Command("tar", "czf", "backup.tgz", dir).Run()
}
