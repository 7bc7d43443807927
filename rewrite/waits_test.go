package rewrite_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestWaitsBehaviour migrates a case of ../testdata/rewrite to the end
// (every patch checked), then runs, with the race detector, the module's
// own tests (the sync API as before) and the case's test in
// ../testdata/cancel, which uses the ctx forms:
//
//   - waits: each ctx form, called with a context that ends after 50 ms
//     against a server that accepts and stalls (or a worker that never
//     answers), returns within 100 ms of the end with an error wrapping
//     context.Canceled or DeadlineExceeded; the next call on the same
//     client, against a server that answers, succeeds; the sync API keeps
//     its own timeout;
//   - detached: the closure a constructor's ctx form stores still works
//     after that context is cancelled, and goroutines the function waits
//     for get its ctx;
//   - lifetime: the reader and the lifetime kept in fields that a
//     constructor starts from a context.Background() go on after its ctx
//     form's context ends; a Background the call waits on becomes ctx;
//   - fields: DoContext, whose I/O is behind the client's process func
//     field, called against a server that accepts and stalls, returns
//     within 1 s of its context's end with an error wrapping
//     context.DeadlineExceeded; a dial through the options' dialer
//     closure ends with its ctx too.
func TestWaitsBehaviour(t *testing.T) {
	for _, name := range []string{"waits", "detached", "lifetime", "connscope", "fields", "ctxfield"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := materialize(t, "../testdata/rewrite/"+name+".txtar")
			if phases := migrateAll(t, dir, "bottom-up"); len(phases) == 0 {
				t.Fatal("nothing migrated")
			}
			test := name + "_cancel_test.go"
			data, err := os.ReadFile(filepath.Join("../testdata/cancel", name, test+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, test), data, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("go", "test", "-race", "-count=1", ".")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("the migrated module's tests fail: %v\n%s", err, out)
			}
		})
	}
}
