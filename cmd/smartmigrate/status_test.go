package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/verify"
)

// TestStatusGolden prints status for a copy of the example before the
// migration, after two bottom-up phases and after all of them, and
// compares each with ../../golden/example/status-<when>.txt. It runs in
// parallel with the other tests: none of those in this process writes a
// journal, so none reads the fixed clock it sets.
func TestStatusGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("applies every phase of the example")
	}
	journal.Now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	t.Cleanup(func() { journal.Now = time.Now })
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "example")
	if err := verify.CopyModule("../../testdata/example", dir); err != nil {
		t.Fatal(err)
	}
	status := func(name string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run([]string{"status", "-C", dir}, &stdout, &stderr); code != 0 {
			t.Fatalf("status: exit %d: %s", code, stderr.String())
		}
		compareGolden(t, filepath.Join("../../golden/example", name+".txt"), stdout.String())
	}
	apply := func() bool {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run([]string{"apply", "-C", dir}, &stdout, &stderr); code != 0 {
			t.Fatalf("apply: exit %d: %s", code, stderr.String())
		}
		return !strings.Contains(stderr.String(), "nothing left to migrate")
	}
	status("status-before")
	apply()
	apply()
	status("status-midway")
	for i := 0; apply(); i++ {
		if i > 10 {
			t.Fatal("apply does not end")
		}
	}
	status("status-after")
}
