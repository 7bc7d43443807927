package rewrite_test

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/patch"
	"github.com/smartmigrate/smartmigrate/rewrite"
	"github.com/smartmigrate/smartmigrate/strategies"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden patches in ../golden/rewrite")

// TestGolden migrates each ../testdata/rewrite/*.txtar module phase by
// phase (bottom-up) until nothing is left, and compares every phase's
// patch with ../golden/rewrite/<case>/phase-NN.patch. Each patch must
// apply to the input, reverse back to it exactly, and leave a module that
// type-checks (the next phase's load) and passes go vet.
func TestGolden(t *testing.T) {
	cases, _ := filepath.Glob("../testdata/rewrite/*.txtar")
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, file := range cases {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := materialize(t, file)
			clean := gofmtClean(t, dir)
			golden := filepath.Join("../golden/rewrite", name)
			var phases []string
			if strings.HasPrefix(name, "offload") {
				phases = migrateWith(t, dir, "top-down", rewrite.Input{Offload: true})
			} else if strings.HasPrefix(name, "upgrade") {
				phases = migrateWith(t, dir, "bottom-up", rewrite.Input{UpgradeInterfaces: true})
			} else {
				phases = migrateAll(t, dir, "bottom-up")
			}
			if strings.HasPrefix(name, "finalize") {
				phases = append(phases, finalizeOnce(t, dir, len(phases)+1))
			}
			if *update {
				os.RemoveAll(golden)
				os.MkdirAll(golden, 0o755)
				for i, p := range phases {
					os.WriteFile(filepath.Join(golden, fmt.Sprintf("phase-%02d.patch", i+1)), []byte(p), 0o644)
				}
			}
			existing, _ := filepath.Glob(filepath.Join(golden, "phase-*.patch"))
			if len(existing) != len(phases) {
				t.Errorf("%d phases, golden has %d (go test ./rewrite -update rewrites them)", len(phases), len(existing))
			}
			for i, p := range phases {
				want, err := os.ReadFile(filepath.Join(golden, fmt.Sprintf("phase-%02d.patch", i+1)))
				if err != nil {
					t.Errorf("phase %d: %v", i+1, err)
					continue
				}
				if string(want) != p {
					t.Errorf("phase %d patch differs from golden (go test ./rewrite -update):\n%s", i+1, lineDiff(string(want), p))
				}
			}
			vet(t, dir)
			for path := range clean {
				if data, err := os.ReadFile(path); err == nil && !isGofmtClean(data) {
					t.Errorf("%s was gofmt-clean and is not after the migration", path)
				}
			}
		})
	}
}

// gofmtClean lists the .go files below dir that gofmt leaves as they are.
func gofmtClean(t *testing.T, dir string) map[string]bool {
	t.Helper()
	clean := map[string]bool{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".go") {
			if data, err := os.ReadFile(path); err == nil && isGofmtClean(data) {
				clean[path] = true
			}
		}
		return nil
	})
	return clean
}

func isGofmtClean(src []byte) bool {
	out, err := format.Source(src)
	return err == nil && bytes.Equal(out, src)
}

// migrateAll applies every phase of strategy to the module in dir, one at
// a time, checking each patch, and returns the patches.
func migrateAll(t *testing.T, dir, strategy string) []string {
	t.Helper()
	return migrateWith(t, dir, strategy, rewrite.Input{})
}

// migrateWith is migrateAll with opts' Offload and UpgradeInterfaces.
func migrateWith(t *testing.T, dir, strategy string, opts rewrite.Input) []string {
	t.Helper()
	var patches []string
	for i := 0; ; i++ {
		if i > 50 {
			t.Fatal("more than 50 phases: the migration does not converge")
		}
		m, err := load.Load(t.Context(), dir)
		if err != nil {
			t.Fatalf("after phase %d the module does not load: %v", i, err)
		}
		res, err := analysis.Analyze(m)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := strategies.ByName(strategy)
		plan, err := s.Plan(strategies.GraphOf(res.Units), strategies.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.Phases) == 0 {
			return patches
		}
		units := migrate.Units(plan.Phases[0])
		var ids []string
		for _, u := range units {
			ids = append(ids, u.ID)
		}
		out, err := rewrite.Phase(rewrite.Input{Model: res, Units: units, Offload: opts.Offload, UpgradeInterfaces: opts.UpgradeInterfaces})
		if err != nil {
			t.Fatalf("phase %d: %v", i+1, err)
		}
		if len(out.Files) == 0 {
			t.Fatalf("phase %d (%s) changed nothing", i+1, strings.Join(ids, ", "))
		}
		diff := patch.Unified(out.Files)
		checkPatch(t, dir, diff, out.Files)
		var report strings.Builder
		for _, code := range []rewrite.Code{rewrite.CodeRewritten, rewrite.CodeLeft, rewrite.CodeTODO, rewrite.CodeMoved, rewrite.CodeOffloaded, rewrite.CodeUnwrapped, rewrite.CodeRenamed} {
			for _, it := range out.Of(code) {
				fmt.Fprintf(&report, "# %s %s\n", code, it)
			}
		}
		patches = append(patches, fmt.Sprintf("# phase %d: %s\n%s%s", i+1, strings.Join(ids, ", "), report.String(), diff))
		for _, f := range out.Files {
			if err := os.WriteFile(filepath.Join(dir, f.Path), f.New, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// checkPatch applies diff to the files on disk and reverses it.
func checkPatch(t *testing.T, dir, diff string, files []patch.FileChange) {
	t.Helper()
	read := func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, p)) }
	applied, err := patch.Apply(diff, read)
	if err != nil {
		t.Fatalf("patch does not apply: %v\n%s", err, diff)
	}
	want := map[string][]byte{}
	for _, f := range files {
		want[f.Path] = f.New
	}
	for _, f := range applied {
		if !bytes.Equal(f.New, want[f.Path]) {
			t.Fatalf("applying the patch to %s does not give the rewritten file", f.Path)
		}
	}
	rev, err := patch.Reverse(diff)
	if err != nil {
		t.Fatal(err)
	}
	back, err := patch.Apply(rev, func(p string) ([]byte, error) { return want[p], nil })
	if err != nil {
		t.Fatalf("reverse patch does not apply: %v", err)
	}
	for _, f := range back {
		orig, _ := read(f.Path)
		if !bytes.Equal(f.New, orig) {
			t.Fatalf("reversing the patch does not give %s back", f.Path)
		}
	}
}

func vet(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command("go", "vet", "./...")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("go vet on the migrated module: %v\n%s", err, out)
	}
}

func materialize(t *testing.T, file string) string {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range ar.Files {
		p := filepath.Join(dir, f.Name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// lineDiff is a short unified diff of two texts for failure messages.
func lineDiff(want, got string) string {
	return patch.Unified([]patch.FileChange{{Path: "golden", Old: []byte(want), New: []byte(got)}})
}
