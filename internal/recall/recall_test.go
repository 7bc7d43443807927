//go:build recall

package recall

import (
	"os"
	"strings"
	"testing"
)

// TestRecall runs the harness on the libraries SMARTMIGRATE_RECALL names
// (all of them when unset) and logs the report; SMARTMIGRATE_RECALL_OUT
// names a file that gets it too. A library that cannot be fetched or
// loaded, or whose migration stops before nothing is left, fails the
// test; the figures are reported, not judged.
func TestRecall(t *testing.T) {
	libs, err := Select(os.Getenv("SMARTMIGRATE_RECALL"))
	if err != nil {
		t.Fatal(err)
	}
	var results []*Result
	for _, lib := range libs {
		t.Run(lib.Name, func(t *testing.T) {
			r, err := Run(t.Context(), lib, t.TempDir(), t.Logf)
			if err != nil {
				t.Fatal(err)
			}
			if r.Stopped != "" {
				t.Errorf("the migration of %s stopped: %s", lib.Before, r.Stopped)
			}
			results = append(results, r)
		})
	}
	var b strings.Builder
	if err := WriteReport(&b, results); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + b.String())
	if out := os.Getenv("SMARTMIGRATE_RECALL_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
			t.Errorf("write the report: %v", err)
		}
	}
}
