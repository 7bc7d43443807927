package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
)

// syncDir flushes a folder's entries (a rename, a new file) to disk, as
// git does for its refs, so that a power loss after "applied" cannot lose
// the rename. Systems and file systems that cannot sync a folder are
// taken at their word.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errUnsupported) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// jsonError says where in data, a JSON file at path, a decoding error is:
// "path:line:col: msg".
func jsonError(path string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = max(se.Offset-1, 0) // the offending byte, read last
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return fmt.Errorf("%s: %w", path, err)
	}
	before := string(data[:off])
	line := strings.Count(before, "\n") + 1
	col := int(off) - strings.LastIndex(before, "\n")
	return fmt.Errorf("%s:%d:%d: %w", path, line, col, err)
}
