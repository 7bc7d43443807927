package verify

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// copyPrefix starts the name of every verification folder; the PID of
// the process that made it follows: smartmigrate-verify-1234-567890.
const copyPrefix = "smartmigrate-verify-"

// oldCopyAge is how old a verification folder without a PID (made before
// folders carried one) must be to count as stale.
const oldCopyAge = 24 * time.Hour

// copyPattern is the os.MkdirTemp pattern of this process's verification
// folders.
func copyPattern() string { return fmt.Sprintf("%s%d-*", copyPrefix, os.Getpid()) }

// RemoveStale removes, from the temporary folder, the verification copies
// of processes that are no longer running (a killed apply leaves its
// copy). It returns how many it removed.
func RemoveStale() (int, error) {
	return removeStaleIn(os.TempDir())
}

func removeStaleIn(tmp string) (int, error) {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return 0, fmt.Errorf("remove stale verification copies: %w", err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), copyPrefix) || !staleCopy(e) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(tmp, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("remove stale verification copy: %w", err)
		}
		n++
	}
	return n, nil
}

// staleCopy reports whether the verification folder e belongs to a
// process that is gone.
func staleCopy(e fs.DirEntry) bool {
	pidText, _, hasPID := strings.Cut(strings.TrimPrefix(e.Name(), copyPrefix), "-")
	pid, err := strconv.Atoi(pidText)
	if hasPID && err == nil && pid > 0 {
		return pid != os.Getpid() && !processAlive(pid)
	}
	info, err := e.Info()
	return err == nil && time.Since(info.ModTime()) > oldCopyAge
}
