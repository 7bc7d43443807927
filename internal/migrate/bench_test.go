package migrate_test

import (
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/testenv"
	"github.com/smartmigrate/smartmigrate/internal/verify"
	"github.com/smartmigrate/smartmigrate/rewrite"
	"github.com/smartmigrate/smartmigrate/strategies"
	"golang.org/x/tools/go/packages"
)

// benchModules are the modules to measure: the bundled example, plus any
// folders named in SMARTMIGRATE_BENCH_MODULES (see testenv.BenchModules).
func benchModules(b *testing.B) map[string]string {
	return testenv.BenchModules("../../testdata/example")
}

// BenchmarkFloor is a bare go/packages load of each module with the mode
// and tests that smartmigrate loads it with: the floor the others are
// measured against.
func BenchmarkFloor(b *testing.B) {
	for name, dir := range benchModules(b) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cfg := &packages.Config{Mode: load.Mode, Dir: dir, Tests: true, Fset: token.NewFileSet()}
				if _, err := packages.Load(cfg, "./..."); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPlan is what smartmigrate plan does: load, analyse, plan.
func BenchmarkPlan(b *testing.B) {
	for name, dir := range benchModules(b) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := migrate.Plan(b.Context(), migrate.PlanOptions{Dir: dir, Strategy: "bottom-up"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkApplyDryRun is what smartmigrate apply --dry-run does: load,
// analyse, plan, rewrite the next phase and diff it.
func BenchmarkApplyDryRun(b *testing.B) {
	for name, dir := range benchModules(b) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rewritePhase(b.Context(), migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: dir, Strategy: "bottom-up"}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRewriteLargestPhase rewrites the largest bottom-up phase of
// each module, the module loaded and analysed once outside the timer.
func BenchmarkRewriteLargestPhase(b *testing.B) {
	for name, dir := range benchModules(b) {
		b.Run(name, func(b *testing.B) {
			m, err := load.Load(b.Context(), dir)
			if err != nil {
				b.Fatal(err)
			}
			res, err := analysis.Analyze(m)
			if err != nil {
				b.Fatal(err)
			}
			plan, err := strategies.BottomUp{}.Plan(strategies.GraphOf(res.Units), strategies.Options{})
			if err != nil {
				b.Fatal(err)
			}
			var units []*analysis.Unit
			for _, ph := range plan.Phases {
				if len(ph.Units) > len(units) {
					units = migrate.Units(ph)
				}
			}
			b.ReportMetric(float64(len(units)), "units")
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rewrite.Phase(rewrite.Input{Model: res, Units: units}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// freshModule copies the module in dir to a temporary folder and returns
// the copy and a function that, before each iteration, gives one Go file
// of it (the first file the next bottom-up phase changes) new content, a
// comment naming the iteration, so that the go command's caches cannot
// answer for the package that holds it, as in a real phase.
func freshModule(b *testing.B, dir string) (string, func()) {
	b.Helper()
	tmp := filepath.Join(b.TempDir(), filepath.Base(dir))
	if err := verify.CopyModule(dir, tmp); err != nil {
		b.Fatal(err)
	}
	rep, why, err := migrate.NextPhase(b.Context(), migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: tmp, Strategy: "bottom-up"}})
	if err != nil || rep == nil {
		b.Fatalf("no phase to apply: %v %s", err, why)
	}
	path := filepath.Join(tmp, filepath.FromSlash(rep.Rewrite.Files[0].Path))
	orig, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	return tmp, func() {
		n++
		if err := os.WriteFile(path, fmt.Appendf(slices.Clip(orig), "\n// fresh content %d %d\n", os.Getpid(), n), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// loopFresh runs body once per iteration on a copy of the module in dir,
// with fresh content each time (see freshModule), touched outside the
// timer.
func loopFresh(b *testing.B, dir string, body func(tmp string)) {
	tmp, touch := freshModule(b, dir)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		touch()
		b.StartTimer()
		body(tmp)
	}
}

// BenchmarkFloorFresh is BenchmarkFloor with fresh content in each
// iteration (see freshModule): the floor of BenchmarkVerifiedApply.
func BenchmarkFloorFresh(b *testing.B) {
	for name, dir := range benchModules(b) {
		b.Run(name, func(b *testing.B) {
			loopFresh(b, dir, func(tmp string) {
				cfg := &packages.Config{Mode: load.Mode, Dir: tmp, Tests: true, Fset: token.NewFileSet()}
				if _, err := packages.Load(cfg, "./..."); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkVerifiedApply is what smartmigrate apply does (load, analyse,
// plan, rewrite the next phase, verify it, write it through the journal)
// with fresh content in each iteration, verified in process and with
// --vet=go; the phase is reverted outside the timer.
func BenchmarkVerifiedApply(b *testing.B) {
	for name, dir := range benchModules(b) {
		for _, mode := range verify.VetModes {
			b.Run(name+"/vet="+string(mode), func(b *testing.B) {
				loopFresh(b, dir, func(tmp string) {
					res, why, err := migrate.Apply(b.Context(), migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: tmp, Strategy: "bottom-up"}}, migrate.WriteOptions{Vet: mode, AllowDirty: true})
					if err != nil || res == nil {
						b.Fatalf("apply: %v %s", err, why)
					}
					b.StopTimer()
					if _, err := migrate.Revert(migrate.RevertOptions{Dir: tmp}); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				})
			})
		}
	}
}

// BenchmarkApplyAll is what smartmigrate apply --all does, verified in
// process: every phase, one after another, planned from the module the
// previous phase's check left, with fresh content in each iteration; the
// phases are reverted, newest first, outside the timer.
func BenchmarkApplyAll(b *testing.B) {
	for name, dir := range benchModules(b) {
		b.Run(name, func(b *testing.B) {
			phases := 0
			loopFresh(b, dir, func(tmp string) {
				done, _, err := migrate.ApplyAll(b.Context(), migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: tmp, Strategy: "bottom-up"}}, migrate.WriteOptions{AllowDirty: true}, migrate.AllOptions{})
				if err != nil || len(done) == 0 {
					b.Fatalf("apply --all: %d phases, %v", len(done), err)
				}
				b.StopTimer()
				phases = len(done)
				for range done {
					if _, err := migrate.Revert(migrate.RevertOptions{Dir: tmp}); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
			})
			b.ReportMetric(float64(phases), "phases")
		})
	}
}
