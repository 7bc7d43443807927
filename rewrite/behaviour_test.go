package rewrite_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/smartmigrate/smartmigrate/strategies"
)

// TestExampleBehaviour migrates the bundled example with every strategy,
// phase by phase (each patch checked to apply, reverse and type-check),
// then runs go vet and the example's own tests on the result, and the
// cancellation tests in ../testdata/cancel: a ctx form called with a
// context cancelled after 50 ms, against a server and a database that
// answer after 5 s, returns within 1 s with context.Canceled.
func TestExampleBehaviour(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the example's tests after each strategy")
	}
	for _, name := range strategies.Names() {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS("../testdata/example")); err != nil {
				t.Fatal(err)
			}
			phases := migrateAll(t, dir, name)
			t.Logf("%s: %d phases", name, len(phases))
			vet(t, dir)
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
			cmd := exec.Command("go", "test", "-count=1", "./...")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("the migrated example's tests fail: %v\n%s", err, out)
			}
		})
	}
}
