package rewrite_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/testenv"
	"github.com/smartmigrate/smartmigrate/strategies"
)

func init() { testenv.LessGC() }

// TestExampleBehaviour migrates the bundled example with every strategy,
// phase by phase (each patch checked to apply, reverse and type-check),
// then runs go vet and the example's own tests on the result, and the
// cancellation tests in ../testdata/cancel: a ctx form called with a
// context cancelled after 50 ms, against a server and a database that
// answer after 5 s, returns within 1 s with context.Canceled.
//
// The strategies run in parallel, each in a copy of its own; strategies
// that end in the same bytes (cancellation tests included) share one run
// of go vet and go test: see checkTree.
func TestExampleBehaviour(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the example's tests after each strategy")
	}
	t.Parallel()
	for _, name := range strategies.Names() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS("../testdata/example")); err != nil {
				t.Fatal(err)
			}
			phases := migrateAll(t, dir, name)
			t.Logf("%s: %d phases", name, len(phases))
			addCancelTests(t, dir)
			checkTree(t, dir)
		})
	}
}

// addCancelTests copies each ../testdata/cancel/<pkg>_cancel_test.go.txt
// to dir/<pkg>/<pkg>_cancel_test.go.
func addCancelTests(t *testing.T, dir string) {
	t.Helper()
	cancelTests, _ := filepath.Glob("../testdata/cancel/*_test.go.txt")
	for _, f := range cancelTests {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(f)
		pkg := base[:len(base)-len("_cancel_test.go.txt")]
		if err := os.WriteFile(filepath.Join(dir, pkg, base[:len(base)-4]), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// treeCheck is one run of go vet ./... and go test ./... on a tree.
type treeCheck struct {
	once sync.Once
	// dir is where they ran.
	dir             string
	vetOut, testOut []byte
	vetErr, testErr error
}

// treeChecks are the runs of checkTree, by the tree's hash.
var treeChecks sync.Map

// checkTree runs go vet ./... and then go test ./... in dir, failing t on
// what they report. A tree with the same bytes as one checked before is
// not checked again: the result of the first run is reported for it.
// go test runs with -vet=off, as the go vet before covers every file it
// would vet.
func checkTree(t *testing.T, dir string) {
	t.Helper()
	v, _ := treeChecks.LoadOrStore(treeHash(t, dir), &treeCheck{})
	c := v.(*treeCheck)
	c.once.Do(func() {
		c.dir = dir
		c.vetOut, c.vetErr = goIn(dir, "vet", "./...")
		c.testOut, c.testErr = goIn(dir, "test", "-count=1", "-vet=off", "./...")
	})
	if c.vetErr != nil {
		t.Errorf("go vet on the migrated module (in %s): %v\n%s", c.dir, c.vetErr, c.vetOut)
	}
	if c.testErr != nil {
		t.Fatalf("the migrated example's tests fail (in %s): %v\n%s", c.dir, c.testErr, c.testOut)
	}
}

// goIn runs the go command with args in dir and returns its combined
// output.
func goIn(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	return cmd.CombinedOutput()
}

// treeHash is the sha256 of every file below dir: paths and contents.
func treeHash(t *testing.T, dir string) string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New() // WalkDir goes in lexical order
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, name)
		sum := sha256.Sum256(data)
		h.Write([]byte(filepath.ToSlash(rel) + "\x00"))
		h.Write(sum[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}
