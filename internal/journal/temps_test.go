package journal

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRecoverRemovesTemps: the temporary files of a writer killed in
// WriteFileAtomic, beside a transaction's file and in .smartmigrate, are
// removed by the next recovery, and nothing else is.
func TestRecoverRemovesTemps(t *testing.T) {
	root := tree(t, oldFiles)
	crash(t)
	if _, err := Append(root, phase()); err == nil {
		t.Fatal("no crash")
	}
	afterRename = nil
	strays := []string{"b/.b.go.tmp123456", Dir + "/.journal.json.tmp42", Dir + "/phases/.01-bottom-up.patch.tmp7"}
	keep := map[string]string{"b/.b.go.tmpx": "mine", "b/.other.go.tmp1": "mine too"}
	for _, name := range strays {
		writeFile(filepath.Join(root, name), []byte("partial"))
	}
	for name, data := range keep {
		writeFile(filepath.Join(root, name), []byte(data))
	}
	if _, err := Recover(root); err != nil {
		t.Fatal(err)
	}
	got := read(t, root)
	want := withNewFiles()
	for k, v := range keep {
		want[k] = v
	}
	same(t, "after recover", want, without(got, Dir+"/"))
	for _, name := range strays {
		if _, ok := got[name]; ok {
			t.Errorf("%s is left", name)
		}
	}

	// With no interrupted transaction, a stray temporary file of the
	// journal is removed too.
	writeFile(filepath.Join(root, Dir, ".journal.json.tmp99"), []byte("partial"))
	if msg, err := Recover(root); msg != "" || err != nil {
		t.Errorf("recover = %q, %v", msg, err)
	}
	if _, err := os.Stat(filepath.Join(root, Dir, ".journal.json.tmp99")); !os.IsNotExist(err) {
		t.Errorf(".journal.json.tmp99 is left: %v", err)
	}
}

func TestIsTemp(t *testing.T) {
	for name, want := range map[string]bool{
		".a.go.tmp123": true, ".journal.json.tmp1": true, ".a.go.tmp": false, "a.go.tmp1": false,
		".a.go.tmpx1": false, ".tmp1": false, ".a.go": false,
	} {
		if got := isTemp(name); got != want {
			t.Errorf("isTemp(%q) = %v, want %v", name, got, want)
		}
	}
	if !isTempOf(".a.go.tmp12", "a.go") || isTempOf(".xa.go.tmp12", "a.go") || isTempOf(".a.go.tmp12", "go") {
		t.Error("isTempOf matches the wrong files")
	}
}
