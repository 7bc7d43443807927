//go:build unix

package journal

import "syscall"

// errUnsupported is a folder sync the file system does not do.
var errUnsupported error = syscall.EINVAL
