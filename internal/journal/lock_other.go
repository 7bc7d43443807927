//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package journal

import (
	"errors"
	"os"
)

// errWouldBlock is tryLock's error when another process holds the lock.
var errWouldBlock = errors.New("locked by another process")

// tryLock is a no-op where the system has no flock: the lock file still
// names the last writer, but two processes are not kept apart.
func tryLock(*os.File) error { return nil }
