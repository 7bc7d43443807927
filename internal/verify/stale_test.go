package verify

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestRemoveStale: the verification folder of a process that has exited
// is removed; those of running processes (this one, another) are kept, and
// so is a recent folder without a PID.
func TestRemoveStale(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no process check")
	}
	tmp := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip(err)
	}
	alive := exec.Command("sleep", "30")
	if err := alive.Start(); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { alive.Process.Kill(); alive.Wait() })
	dirs := map[string]bool{ // name: kept
		fmt.Sprintf("%s%d-1", copyPrefix, dead.Process.Pid):  false,
		fmt.Sprintf("%s%d-2", copyPrefix, alive.Process.Pid): true,
		fmt.Sprintf("%s%d-3", copyPrefix, os.Getpid()):       true,
		copyPrefix + "123456":                                true, // old style, recent
		copyPrefix + "654321":                                false,
		"other-99999999-1":                                   true,
	}
	for name := range dirs {
		if err := os.MkdirAll(filepath.Join(tmp, name, "mod"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * oldCopyAge)
	os.Chtimes(filepath.Join(tmp, copyPrefix+"654321"), old, old)
	n, err := removeStaleIn(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("removed %d folders, want 2", n)
	}
	for name, kept := range dirs {
		if _, err := os.Stat(filepath.Join(tmp, name)); (err == nil) != kept {
			t.Errorf("%s: kept = %v, want %v", name, err == nil, kept)
		}
	}
	if !strings.HasPrefix(copyPattern(), fmt.Sprintf("%s%d-", copyPrefix, os.Getpid())) {
		t.Errorf("copyPattern() = %q does not carry the PID", copyPattern())
	}
}
