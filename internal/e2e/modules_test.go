//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestModulesE2E runs the harness on real modules: SMARTMIGRATE_E2E
// ("mod@ver,mod@ver"), else DefaultModules. It downloads them with the go
// command (the module proxy), so it is behind the e2e build tag:
//
//	go test -tags e2e ./internal/e2e -v
//	SMARTMIGRATE_E2E=github.com/go-gorp/gorp/v3@v3.1.0 go test -tags e2e ./internal/e2e -v -timeout 60m
//
// SMARTMIGRATE_E2E_OUT, when set, is a file that gets the table too.
func TestModulesE2E(t *testing.T) {
	mods, err := Modules(os.Getenv("SMARTMIGRATE_E2E"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOWORK", "off")
	testTimeout := 5 * time.Minute
	if s := os.Getenv("SMARTMIGRATE_E2E_TEST_TIMEOUT"); s != "" {
		if testTimeout, err = time.ParseDuration(s); err != nil {
			t.Fatalf("SMARTMIGRATE_E2E_TEST_TIMEOUT: %v", err)
		}
	}
	ctx := t.Context()
	var rows []*Row
	for _, m := range mods {
		t.Run(strings.ReplaceAll(m, "/", "_"), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "module")
			f, err := Fetch(ctx, m, dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s@%s in %s (go.mod made or tidied: %v)", f.Path, f.Version, dir, f.Tidied)
			probe, err := ProbeFile("../../testdata/probes", f.Path)
			if err != nil {
				t.Fatal(err)
			}
			row, err := Run(ctx, dir, Options{Verify: "go build ./...", TestTimeout: testTimeout, Log: t.Logf, Probe: probe})
			if err != nil {
				t.Fatal(err)
			}
			row.Module = f.Path + "@" + f.Version
			rows = append(rows, row)
			if row.Skipped != "" {
				t.Logf("%s: skipped: %s", m, row.Skipped)
				return
			}
			for _, fl := range row.Failures {
				t.Errorf("%s: %s", m, fl)
			}
			if row.Incompatible != 0 {
				t.Errorf("%s: %d phases changed the API incompatibly", m, row.Incompatible)
			}
		})
	}
	var b strings.Builder
	if err := Table(&b, rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		for _, p := range r.Probes {
			fmt.Fprintf(&b, "probe %s: %s\n", r.Module, p)
		}
	}
	t.Logf("\n%s", b.String())
	if out := os.Getenv("SMARTMIGRATE_E2E_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
}
