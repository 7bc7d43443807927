package journal

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStageAhead: a Commit takes what Stage wrote when its files and
// patch are the ones staged, and stages again when they are not; either
// way the tree and the journal are the transaction's.
func TestStageAhead(t *testing.T) {
	for _, c := range []struct {
		name  string
		other bool // stage other contents than the phase commits
	}{{"same", false}, {"other", true}} {
		t.Run(c.name, func(t *testing.T) {
			root := tree(t, oldFiles)
			np := phase()
			staged := np.Files
			if c.other {
				staged = append([]FileWrite{}, np.Files...)
				staged[1].New = []byte("package b\n\n// not this\n")
			}
			s, err := Stage(root, staged, np.Patch)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Discard()
			<-s.done
			// What Commit takes from the staging folder (the patch) tells
			// whether it staged again.
			mark := filepath.Join(stagingDir(root), "patch")
			if err := os.WriteFile(mark, []byte("staged ahead\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			np.Staged = s
			p, err := Append(root, np)
			if err != nil {
				t.Fatal(err)
			}
			got := read(t, root)
			same(t, "after apply", withNewFiles(), without(got, Dir+"/"))
			wantPatch := "staged ahead\n"
			if c.other {
				wantPatch = np.Patch
			}
			if got[Dir+"/"+p.Patch] != wantPatch {
				t.Errorf("patch = %q, want %q", got[Dir+"/"+p.Patch], wantPatch)
			}
			noPending(t, root)
			if Holds(root) {
				t.Error("the writer lock is still held")
			}
		})
	}
}

// TestStageDiscard: a staging no Commit took leaves nothing behind, not
// even the .smartmigrate folder it made, and gives the lock back.
func TestStageDiscard(t *testing.T) {
	root := tree(t, oldFiles)
	np := phase()
	s, err := Stage(root, np.Files, np.Patch)
	if err != nil {
		t.Fatal(err)
	}
	s.Discard()
	s.Discard() // a second Discard is a no-op
	same(t, "after discard", oldFiles, read(t, root))
	if _, err := os.Lstat(filepath.Join(root, Dir)); !os.IsNotExist(err) {
		t.Errorf("%s is left: %v", Dir, err)
	}
	if Holds(root) {
		t.Error("the writer lock is still held")
	}
}
