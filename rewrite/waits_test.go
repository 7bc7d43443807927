package rewrite_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestWaitsBehaviour migrates ../testdata/rewrite/waits.txtar to the end
// (every patch checked), then runs, with the race detector, the module's
// own tests (the sync API as before, its own timeouts included) and
// ../testdata/cancel/waits/waits_cancel_test.go.txt: each ctx form, called with
// a context that ends after 50 ms against a server that accepts and
// stalls (or a worker that never answers), returns within 100 ms of the
// end with an error wrapping context.Canceled or DeadlineExceeded, and the
// next call on the same client, against a server that answers, succeeds.
func TestWaitsBehaviour(t *testing.T) {
	t.Parallel()
	dir := materialize(t, "../testdata/rewrite/waits.txtar")
	if phases := migrateAll(t, dir, "bottom-up"); len(phases) == 0 {
		t.Fatal("nothing migrated")
	}
	data, err := os.ReadFile("../testdata/cancel/waits/waits_cancel_test.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "waits_cancel_test.go"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "test", "-race", "-count=1", ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the migrated module's tests fail: %v\n%s", err, out)
	}
}
