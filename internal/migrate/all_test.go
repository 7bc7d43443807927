package migrate_test

import (
	"errors"
	"go/types"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"weak"

	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/patch"
	"github.com/smartmigrate/smartmigrate/internal/progress"
	"github.com/smartmigrate/smartmigrate/internal/verify"
)

// TestApplyAllMatchesOneByOne applies every phase of each rewrite case
// in one ApplyAll, planning each phase from the module the previous
// one's in-process verification left (one load in all), and compares
// the patches with those of applies one at a time, each loading the
// module afresh.
func TestApplyAllMatchesOneByOne(t *testing.T) {
	cases, _ := filepath.Glob("../../testdata/rewrite/*.txtar")
	for _, file := range cases {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := materializeCase(t, file)
			var log strings.Builder
			pr := progress.To(&log) // one printer, as the command has: it serializes the writes
			done, why, err := migrate.ApplyAll(t.Context(), migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: dir, Progress: pr}},
				migrate.WriteOptions{Progress: pr}, migrate.AllOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if why != "nothing left to migrate" {
				t.Errorf("stopped: %s", why)
			}
			want := oneByOne(t, materializeCase(t, file))
			if len(done) != len(want) {
				t.Fatalf("%d phases applied, %d one at a time", len(done), len(want))
			}
			for i, res := range done {
				if res.Report.Patch != want[i] {
					t.Errorf("phase %d differs:\n%s", i+1, lineDiffOf(want[i], res.Report.Patch))
				}
			}
			if n := strings.Count(log.String(), "smartmigrate: loaded "); n != 1 {
				t.Errorf("the module was loaded %d times, want once:\n%s", n, log.String())
			}
		})
	}
}

// oneByOne applies the phases of the module in dir one at a time and
// returns their patches.
func oneByOne(t *testing.T, dir string) []string {
	t.Helper()
	var patches []string
	for range 30 {
		res, _, err := migrate.Apply(t.Context(), migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: dir}}, migrate.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res == nil {
			return patches
		}
		patches = append(patches, res.Report.Patch)
	}
	t.Fatal("more than 30 phases")
	return nil
}

func lineDiffOf(want, got string) string {
	return patch.Unified([]patch.FileChange{{Path: "patch", Old: []byte(want), New: []byte(got)}})
}

// TestApplyAllStopsAtFailure: --through stops where it says; a phase that
// fails verification stops the run, the phases before it stay applied
// and the error names them.
func TestApplyAllStopsAtFailure(t *testing.T) {
	dir := copyExample(t)
	o := migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: dir}}
	plan, err := migrate.Plan(t.Context(), o.PlanOptions)
	if err != nil || len(plan.Plan.Phases) < 3 {
		t.Fatalf("plan: %v", err)
	}
	second := plan.Plan.Phases[1].ID
	if _, _, err := migrate.ApplyAll(t.Context(), o, migrate.WriteOptions{}, migrate.AllOptions{Through: "fffffff"}); err == nil || !strings.Contains(err.Error(), "no such phase") {
		t.Fatalf("--through a phase the plan has not: %v", err)
	}
	done, why, err := migrate.ApplyAll(t.Context(), o, migrate.WriteOptions{}, migrate.AllOptions{Through: second[:4]})
	if err != nil || len(done) != 2 || done[1].Journal.ID != second || !strings.Contains(why, "--through") {
		t.Fatalf("--through %s: %d phases, %q, %v", second[:4], len(done), why, err)
	}
	third := plan.Plan.Phases[2].ID
	// The command passes once, then fails: the second phase of this run
	// is refused.
	count := filepath.Join(t.TempDir(), "count")
	once := "n=$(cat " + count + " 2>/dev/null || echo 0); echo $((n+1)) > " + count + "; test $n -lt 1"
	_, _, err = migrate.ApplyAll(t.Context(), o, migrate.WriteOptions{Verify: once}, migrate.AllOptions{})
	var all *migrate.AllError
	var f *verify.Failure
	if !errors.As(err, &all) || !errors.As(err, &f) || f.Check != "--verify" {
		t.Fatalf("error = %v, want an AllError wrapping a --verify failure", err)
	}
	if len(all.Applied) != 1 || all.Applied[0] != third || !strings.Contains(err.Error(), "phases applied before it stay applied: "+third) {
		t.Errorf("applied = %v, want [%s]:\n%v", all.Applied, third, err)
	}
	j, jerr := journal.Load(dir)
	if jerr != nil || len(j.Phases) != 3 {
		t.Fatalf("journal: %v, %v", j, jerr)
	}
}

// TestApplyAllHoldsOneModule: once a phase is written and the next has
// started, nothing ApplyAll returns holds the types of the packages that
// phase changed as they were before it (the check replaced them), so
// that a run's memory does not grow with its phases.
func TestApplyAllHoldsOneModule(t *testing.T) {
	dir := copyExample(t)
	var old []weak.Pointer[types.Package]
	each := func(res *migrate.ApplyResult) {
		changed := map[string]bool{}
		for _, f := range res.Report.Rewrite.Files {
			changed[filepath.Join(res.Report.Dir, filepath.FromSlash(f.Path))] = true
		}
		for _, p := range res.Report.Model.Load.Packages {
			if slices.ContainsFunc(p.CompiledGoFiles, func(f string) bool { return changed[f] }) {
				old = append(old, weak.Make(p.Types))
			}
		}
	}
	done, _, err := migrate.ApplyAll(t.Context(), migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: dir}}, migrate.WriteOptions{}, migrate.AllOptions{Each: each})
	if err != nil || len(done) < 2 || len(old) == 0 {
		t.Fatalf("%d phases, %d changed packages: %v", len(done), len(old), err)
	}
	runtime.GC()
	for i, p := range old {
		if p.Value() != nil {
			t.Errorf("%s as it was before its phase is still reachable (%d of %d changed packages)", p.Value().Path(), i+1, len(old))
		}
	}
	for i, res := range done {
		if len(res.Report.Phase.Units) == 0 || res.Report.Phase.Units[0].UnitID() == "" {
			t.Errorf("phase %d: its units are gone from the result: %v", i+1, res.Report.Phase.Units)
		}
	}
	runtime.KeepAlive(done)
}
