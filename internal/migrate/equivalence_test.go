package migrate_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/patch"
	"github.com/smartmigrate/smartmigrate/internal/verify"
	"golang.org/x/tools/txtar"
)

// equivalenceCases are the modules whose phases both verifications must
// judge alike: the bundled example and every txtar module of the rewrite
// and analysis tests, by name.
func equivalenceCases(t *testing.T) map[string]string {
	t.Helper()
	cases := map[string]string{"example": "../../testdata/example"}
	for _, glob := range []string{"../../testdata/rewrite/*.txtar", "../analysis/testdata/*.txtar"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			cases[filepath.Base(filepath.Dir(filepath.Dir(f)))+"/"+strings.TrimSuffix(filepath.Base(f), ".txtar")] = f
		}
	}
	if len(cases) < 20 {
		t.Fatalf("only %d cases", len(cases))
	}
	return cases
}

// materializeCase writes the case's module to a temporary folder.
func materializeCase(t *testing.T, src string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "m")
	if !strings.HasSuffix(src, ".txtar") {
		if err := verify.CopyModule(src, dir); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	ar, err := txtar.ParseFile(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ar.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// verdict is what a verification says of a phase: "pass", or the check
// that fails. Any other error fails the test.
func verdict(t *testing.T, rep *migrate.PhaseReport, files []patch.FileChange, mode verify.VetMode) string {
	t.Helper()
	_, err := verify.Phase(t.Context(), verify.Input{Root: rep.Dir, Files: files, Old: rep.Model.Load, Vet: mode})
	var f *verify.Failure
	switch {
	case err == nil:
		return "pass"
	case errors.As(err, &f):
		return f.Check + ": " + firstLineOf(f.Detail)
	}
	t.Fatalf("%s verification: %v", mode, err)
	return ""
}

func firstLineOf(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// TestVerifyModesAgree walks every case phase by phase (bottom-up),
// verifying each phase both in process and on a copy with go vet: the
// verdicts must be the same, and on these cases, a pass. With -short only
// the first phase of each case is compared.
func TestVerifyModesAgree(t *testing.T) {
	for name, src := range equivalenceCases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := materializeCase(t, src)
			for n := 1; n <= 30; n++ {
				rep, why, err := migrate.NextPhase(t.Context(), migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: dir}})
				if err != nil {
					t.Fatal(err)
				}
				if rep == nil {
					if n == 1 {
						t.Logf("no phase: %s", why)
					}
					return
				}
				files := rep.Rewrite.Files
				in, cp := verdict(t, rep, files, verify.VetInProcess), verdict(t, rep, files, verify.VetGo)
				if in != cp || in != "pass" {
					t.Fatalf("phase %d: in process %q, on a copy %q", n, in, cp)
				}
				if testing.Short() {
					return
				}
				writeChanges(t, dir, files)
			}
			t.Fatal("more than 30 phases")
		})
	}
}

// writeChanges writes a verified phase's files below dir.
func writeChanges(t *testing.T, dir string, files []patch.FileChange) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if f.New == nil {
			os.Remove(p)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.New, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestVerifyModesRefuseAlike spoils the example's first phase three ways
// (a type error, a new go vet finding, an incompatible API change): both
// verifications refuse each with the same check, naming the position,
// and the apply writes nothing.
func TestVerifyModesRefuseAlike(t *testing.T) {
	spoil := map[string]struct {
		check, where string
		edit         func(path, src string) string
	}{
		"type error": {"type-check", "store/store.go:", func(path, src string) string {
			if strings.HasSuffix(path, "_test.go") {
				return src
			}
			return src + "\nvar _ int = \"not an int\"\n"
		}},
		"vet finding": {"go vet", "store/store.go:", func(path, src string) string {
			if strings.HasSuffix(path, "_test.go") {
				return src
			}
			return src + "\nfunc init() {\n\tx := 0\n\tx = x\n\t_ = x\n}\n"
		}},
		"API break": {"API compatibility", "ErrInsufficient: removed", func(path, src string) string {
			return strings.ReplaceAll(src, "ErrInsufficient", "ErrShort")
		}},
	}
	for name, sp := range spoil {
		for _, mode := range verify.VetModes {
			t.Run(name+"/"+string(mode), func(t *testing.T) {
				t.Parallel()
				dir, start, rep := firstRewritten(t)
				spoilPhase(t, dir, rep, sp.edit)
				after, err := writePristine(t.Context(), t, rep, migrate.WriteOptions{Vet: mode})
				var f *verify.Failure
				if !errors.As(err, &f) || f.Check != sp.check {
					t.Fatalf("error = %v, want a %s failure", err, sp.check)
				}
				if !strings.Contains(f.Detail, sp.where) || !strings.Contains(err.Error(), "nothing was written") {
					t.Errorf("the failure does not say where (%s), or that nothing was written:\n%s", sp.where, err)
				}
				sameFiles(t, "after the refused apply", start, after)
			})
		}
	}
}

// spoilPhase applies edit to store/store.go in the phase and, so that the
// module's own uses follow, to store/store_test.go too.
func spoilPhase(t *testing.T, dir string, rep *migrate.PhaseReport, edit func(path, src string) string) {
	t.Helper()
	found := false
	for i, f := range rep.Rewrite.Files {
		if f.Path == "store/store.go" {
			rep.Rewrite.Files[i].New = []byte(edit(f.Path, string(f.New)))
			found = true
		}
	}
	if !found {
		t.Fatal("the phase does not change store/store.go")
	}
	test, err := os.ReadFile(filepath.Join(dir, "store", "store_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	if spoiled := edit("store/store_test.go", string(test)); spoiled != string(test) {
		rep.Rewrite.Files = append(rep.Rewrite.Files, patch.FileChange{Path: "store/store_test.go", Old: test, New: []byte(spoiled)})
	}
}
