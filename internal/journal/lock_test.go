package journal

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// holderEnv names, in a re-executed test binary, the module whose lock it
// takes and holds until its standard input closes or it is killed.
const holderEnv = "SMARTMIGRATE_TEST_HOLD_LOCK"

func TestMain(m *testing.M) {
	if root := os.Getenv(holderEnv); root != "" {
		lk, err := AcquireLock(root)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("locked")
		_, _ = io.Copy(io.Discard, os.Stdin)
		lk.Release()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// holdLock starts another process that holds root's lock; the returned
// function kills it.
func holdLock(t *testing.T, root string) (*exec.Cmd, func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holderEnv+"="+root)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "locked\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the holder did not take the lock: %q", line)
	}
	kill := func() {
		cmd.Process.Kill()
		cmd.Wait()
		stdin.Close()
	}
	t.Cleanup(kill)
	return cmd, kill
}

// TestLockTwoProcesses checks, with two real processes, that a second
// writer refuses at once naming the holder's PID and command, and that the
// lock is free again once the holder is killed.
func TestLockTwoProcesses(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no flock")
	}
	root := tree(t, map[string]string{"a.go": "package a\n"})
	holder, kill := holdLock(t, root)

	_, err := AcquireLock(root)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("AcquireLock while another process holds it: %v, want a *LockedError", err)
	}
	if le.PID != holder.Process.Pid || !strings.Contains(le.Command, filepath.Base(os.Args[0])) {
		t.Errorf("holder named as pid %d (%s), want pid %d (%s ...)", le.PID, le.Command, holder.Process.Pid, filepath.Base(os.Args[0]))
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("process %d", holder.Process.Pid)) {
		t.Errorf("error does not name the holder: %v", err)
	}
	err = Commit(root, Txn{Op: "apply of phase 1", Files: []FileWrite{{Path: "a.go", Old: []byte("package a\n"), New: []byte("package a // new\n")}}, Journal: &Journal{}})
	if !errors.As(err, &le) {
		t.Errorf("Commit while locked: %v, want a *LockedError", err)
	}
	if _, err := Revert(root, RevertOptions{}); !errors.As(err, &le) {
		t.Errorf("Revert while locked: %v, want a *LockedError", err)
	}
	if data, _ := os.ReadFile(filepath.Join(root, "a.go")); string(data) != "package a\n" {
		t.Errorf("a.go changed under another writer's lock: %q", data)
	}

	// The system releases the lock of a killed process.
	kill()
	lk, err := AcquireLock(root)
	if err != nil {
		t.Fatalf("AcquireLock after the holder died: %v", err)
	}
	if err := lk.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, Dir)); !os.IsNotExist(err) {
		t.Errorf("release left %s behind: %v", Dir, err)
	}
}

// TestLockReentrant checks that one process can take its own lock again
// (apply holds it and then commits and recovers under it).
func TestLockReentrant(t *testing.T) {
	root := tree(t, map[string]string{"a.go": "package a\n"})
	a, err := AcquireLock(root)
	if err != nil {
		t.Fatal(err)
	}
	b, err := AcquireLock(root)
	if err != nil {
		t.Fatalf("second AcquireLock in the same process: %v", err)
	}
	b.Release()
	if !Holds(root) {
		t.Error("the first Release of two gave the lock up")
	}
	a.Release()
	if Holds(root) {
		t.Error("the lock is still held after both Releases")
	}
}

// TestRecoverRemovesDeadLock: the lock file of a killed writer is removed
// by the next recovery; a live holder's is not.
func TestRecoverRemovesDeadLock(t *testing.T) {
	root := tree(t, map[string]string{"a.go": "package a\n"})
	_, kill := holdLock(t, root)
	if msg, err := Recover(root); msg != "" || err != nil {
		t.Errorf("recover with a live holder and nothing to recover = %q, %v", msg, err)
	}
	if !lockLeft(root) {
		t.Fatal("recovery removed a live holder's lock file")
	}
	kill()
	if !lockLeft(root) {
		t.Fatal("the killed holder left no lock file; the test tests nothing")
	}
	if _, err := Recover(root); err != nil {
		t.Fatal(err)
	}
	if lockLeft(root) {
		t.Error("the dead holder's lock file is left")
	}
}
