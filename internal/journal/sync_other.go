//go:build !unix

package journal

import "errors"

// errUnsupported is a folder sync the file system does not do.
var errUnsupported = errors.New("unsupported")
