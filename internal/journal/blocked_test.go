package journal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// blockPut makes every put of rel fail, as a rename in a read-only folder
// does.
func blockPut(t *testing.T, rel string) {
	failPut = func(r string) error {
		if r == rel {
			return errors.New("injected rename failure")
		}
		return nil
	}
	t.Cleanup(func() { failPut = nil })
}

func noPending(t *testing.T, root string) {
	t.Helper()
	for _, name := range []string{"pending.json", "staging"} {
		if _, err := os.Stat(filepath.Join(root, Dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s is left: %v", name, err)
		}
	}
}

// TestCommitRollsBackBlockedFile: when the second of three files cannot
// be replaced, the first is put back, nothing is journaled and the error
// names the file.
func TestCommitRollsBackBlockedFile(t *testing.T) {
	root := tree(t, oldFiles)
	blockPut(t, "b/b.go")
	_, err := Append(root, phase())
	if err == nil || !strings.Contains(err.Error(), "b/b.go could not be replaced") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("append = %v, want b/b.go named and nothing changed", err)
	}
	same(t, "after the blocked apply", oldFiles, read(t, root))
	noPending(t, root)
	failPut = nil
	if _, err := Append(root, phase()); err != nil {
		t.Fatalf("apply once the file can be written: %v", err)
	}
	same(t, "after apply", withNewFiles(), without(read(t, root), Dir+"/"))
}

// TestRecoverRollsBackWhenForwardBlocked: an apply killed after its first
// file, whose next file cannot be replaced, is rolled back by recovery
// (not left mixed), and the message names the file.
func TestRecoverRollsBackWhenForwardBlocked(t *testing.T) {
	root := tree(t, oldFiles)
	crash(t)
	if _, err := Append(root, phase()); err == nil {
		t.Fatal("no crash")
	}
	afterRename = nil
	blockPut(t, "c/c.go")
	msg, err := Recover(root)
	if err != nil {
		t.Fatalf("recover: %v", err)
	}
	if !strings.Contains(msg, "c/c.go could not be replaced") || !strings.Contains(msg, "rolled back the interrupted apply of phase aaaa111") {
		t.Errorf("message = %q", msg)
	}
	same(t, "after recover", oldFiles, read(t, root))
	noPending(t, root)
	if j, _ := Load(root); len(j.Phases) != 0 {
		t.Errorf("journal has %d phases, want none", len(j.Phases))
	}
	// Status and revert work meanwhile: there is nothing left to recover.
	if msg, err := Recover(root); msg != "" || err != nil {
		t.Errorf("second recover = %q, %v", msg, err)
	}
	if _, err := Revert(root, RevertOptions{}); err == nil || !strings.Contains(err.Error(), "nothing to revert") {
		t.Errorf("revert = %v, want nothing to revert", err)
	}
}

// TestRevertRollsBackBlockedFile: a revert that cannot replace a file
// leaves the applied phase whole and still applied.
func TestRevertRollsBackBlockedFile(t *testing.T) {
	root := tree(t, oldFiles)
	if _, err := Append(root, phase()); err != nil {
		t.Fatal(err)
	}
	blockPut(t, "c/c.go")
	if _, err := Revert(root, RevertOptions{}); err == nil || !strings.Contains(err.Error(), "c/c.go could not be replaced") {
		t.Fatalf("revert = %v, want c/c.go named", err)
	}
	same(t, "after the blocked revert", withNewFiles(), without(read(t, root), Dir+"/"))
	noPending(t, root)
	if j, _ := Load(root); len(j.Applied()) != 1 {
		t.Errorf("applied phases = %d, want 1", len(j.Applied()))
	}
}

// TestCommitRefusesLink: a file of the transaction that is a symbolic
// link is refused before any file is replaced, and the temporary files
// prepared for the others are gone.
func TestCommitRefusesLink(t *testing.T) {
	root := tree(t, oldFiles)
	outside := filepath.Join(t.TempDir(), "c.go")
	if err := os.WriteFile(outside, []byte(oldFiles["c/c.go"]), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "c", "c.go")
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	_, err := Append(root, phase())
	if err == nil || !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("append = %v, want the link refused and nothing changed", err)
	}
	same(t, "after the refused apply", oldFiles, read(t, root))
	noPending(t, root)
	for name := range read(t, root) {
		if strings.Contains(name, tempSuffix) {
			t.Errorf("temporary file %s is left", name)
		}
	}
}
