package verify

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/patch"
	"github.com/smartmigrate/smartmigrate/internal/testenv"
)

func init() { testenv.LessGC() }

const (
	goMod = "module example.com/v\n\ngo 1.24\n"
	// old has a vet finding already (printf).
	old = `package v

import "fmt"

// F prints.
func F() { fmt.Printf("%d\n", "x") }
`
)

func module(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "v")
	for name, data := range map[string]string{"go.mod": goMod, "v.go": old, ".git/HEAD": "ref: x\n", ".smartmigrate/journal.json": "{}\n"} {
		path := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// forEachMode runs f as a subtest for each VetMode: both verifications
// must behave alike.
func forEachMode(t *testing.T, f func(t *testing.T, mode VetMode)) {
	for _, mode := range VetModes {
		t.Run(string(mode), func(t *testing.T) { f(t, mode) })
	}
}

func change(newText string) []patch.FileChange {
	return []patch.FileChange{{Path: "v.go", Old: []byte(old), New: []byte(newText)}}
}

// TestVetFindingThatMovesIsNotNew: the old finding on another line, plus
// an addition, passes.
// With ReleaseOld, the packages as they were are type-checked again for
// the comparison.
func TestVetFindingThatMovesIsNotNew(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode VetMode) {
		for _, release := range []bool{false, true} {
			root := module(t)
			moved := strings.Replace(old, "// F prints.", "// G is new.\nfunc G() {}\n\n// F prints.", 1)
			res, err := Phase(t.Context(), Input{Root: root, Vet: mode, Files: change(moved), ReleaseOld: release})
			if err != nil {
				t.Fatalf("ReleaseOld %v: %v", release, err)
			}
			if got := res.Compatible["example.com/v"]; len(got) != 1 || got[0] != "G: added" {
				t.Errorf("ReleaseOld %v: compatible = %v", release, res.Compatible)
			}
		}
	})
}

// TestVetFindingAdded: a second finding with the same message fails, and
// only the added one is listed.
func TestVetFindingAdded(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode VetMode) {
		root := module(t)
		added := old + "\n// H prints too.\nfunc H() { fmt.Printf(\"%d\\n\", \"x\") }\n"
		_, err := Phase(t.Context(), Input{Root: root, Vet: mode, Files: change(added)})
		var f *Failure
		if !errors.As(err, &f) || f.Check != "go vet" {
			t.Fatalf("error = %v, want a go vet failure", err)
		}
		if !strings.Contains(f.Detail, "v.go:9:") || strings.Contains(f.Detail, "v.go:6:") {
			t.Errorf("detail lists the wrong findings:\n%s", f.Detail)
		}
	})
}

func TestTypeErrorAndAPIAndCommand(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode VetMode) {
		root := module(t)
		_, err := Phase(t.Context(), Input{Root: root, Vet: mode, Files: change(old + "\nfunc K() int { return \"s\" }\n")})
		var f *Failure
		if !errors.As(err, &f) || f.Check != "type-check" || !strings.Contains(f.Detail, "v.go:8:") {
			t.Errorf("type error: %v", err)
		}
		_, err = Phase(t.Context(), Input{Root: root, Vet: mode, Files: change(strings.Replace(old, "func F()", "func F(n int)", 1))})
		if !errors.As(err, &f) || f.Check != "API compatibility" || !strings.Contains(f.Detail, "Incompatible changes:\n- F: changed from func() to func(int)") {
			t.Errorf("API change: %v", err)
		}
		_, err = Phase(t.Context(), Input{Root: root, Vet: mode, Files: change(old), Command: "test -f v.go && ! test -e .smartmigrate && ! test -e .git && exit 3"})
		if !errors.As(err, &f) || f.Check != "--verify" || !strings.Contains(f.Detail, "exit status 3") {
			t.Errorf("command: %v", err)
		}
		data, _ := os.ReadFile(filepath.Join(root, "v.go"))
		if string(data) != old {
			t.Error("verification wrote to the module")
		}
	})
}

// TestCopyNeverWritesThroughLinks checks that a linked file is copied as a
// file, so writing the phase in the copy leaves the link's target alone.
func TestCopyNeverWritesThroughLinks(t *testing.T) {
	root := module(t)
	outside := filepath.Join(t.TempDir(), "outside.go")
	if err := os.WriteFile(outside, []byte("package v\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "linked.go")); err != nil {
		t.Skip("no symbolic links:", err)
	}
	if err := os.Symlink(filepath.Join(root, "missing.go"), filepath.Join(root, "dangling.go")); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy")
	if err := CopyModule(root, dst); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(filepath.Join(dst, "linked.go"))
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("linked.go in the copy: %v, %v; want a regular file", fi, err)
	}
	if _, err := os.Lstat(filepath.Join(dst, "dangling.go")); !os.IsNotExist(err) {
		t.Errorf("dangling link copied: %v", err)
	}
	if err := writeFiles(dst, []patch.FileChange{{Path: "linked.go", Old: []byte("package v\n"), New: []byte("package v // changed\n")}}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(outside); string(data) != "package v\n" {
		t.Errorf("the link's target changed: %q", data)
	}
	// A linked folder is copied as a folder; a link back into the tree
	// (a loop) is left out.
	outDir := t.TempDir()
	os.WriteFile(filepath.Join(outDir, "x.go"), []byte("package x\n"), 0o644)
	os.Symlink(outDir, filepath.Join(root, "linkdir"))
	os.Symlink(root, filepath.Join(outDir, "loop"))
	dst2 := filepath.Join(t.TempDir(), "copy")
	if err := CopyModule(root, dst2); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(filepath.Join(dst2, "linkdir")); err != nil || !fi.IsDir() {
		t.Errorf("linkdir in the copy: %v, %v; want a folder", fi, err)
	}
	if data, _ := os.ReadFile(filepath.Join(dst2, "linkdir", "x.go")); string(data) != "package x\n" {
		t.Errorf("linkdir/x.go in the copy = %q", data)
	}
	if _, err := os.Lstat(filepath.Join(dst2, "linkdir", "loop")); !os.IsNotExist(err) {
		t.Errorf("the loop was copied: %v", err)
	}
	// A root reached through a link is copied as a tree.
	viaLink := filepath.Join(t.TempDir(), "via")
	os.Symlink(root, viaLink)
	dst3 := filepath.Join(t.TempDir(), "copy")
	if err := CopyModule(viaLink, dst3); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(dst3); err != nil || !fi.IsDir() {
		t.Errorf("the copy of a linked root: %v, %v; want a folder, not a link to the module", fi, err)
	}
	// writeFiles never writes below a linked folder either.
	if err := os.Symlink(t.TempDir(), filepath.Join(dst, "sub")); err != nil {
		t.Fatal(err)
	}
	err = writeFiles(dst, []patch.FileChange{{Path: "sub/x.go", New: []byte("package sub\n")}})
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("write below a linked folder: %v, want a refusal", err)
	}
}

// TestGofmt: a clean file the phase leaves unclean fails, naming it; a
// file that was not clean before is not judged.
func TestGofmt(t *testing.T) {
	root := module(t)
	unclean := strings.Replace(old, "func F() {", "func F()  {", 1)
	_, err := Phase(t.Context(), Input{Root: root, Files: change(unclean)})
	var f *Failure
	if !errors.As(err, &f) || f.Check != "gofmt" || !strings.Contains(f.Detail, "v.go: gofmt would change it") {
		t.Fatalf("error = %v, want a gofmt failure naming v.go", err)
	}
	files := []patch.FileChange{{Path: "v.go", Old: []byte(unclean), New: []byte(unclean + "\n// G is new.\nfunc G()  {}\n")}}
	if _, err := Phase(t.Context(), Input{Root: root, Files: files}); err != nil {
		t.Errorf("a file that was not gofmt-clean fails: %v", err)
	}
}
