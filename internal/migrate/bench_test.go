package migrate_test

import (
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

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
// of it (the first file that the next bottom-up phase changes and that
// exists) new content, a comment naming the iteration, so that the go
// command's caches cannot answer for the package that holds it, as in a
// real phase.
func freshModule(b *testing.B, dir string, maxUnits int) (string, func()) {
	b.Helper()
	tmp := filepath.Join(b.TempDir(), filepath.Base(dir))
	if err := verify.CopyModule(dir, tmp); err != nil {
		b.Fatal(err)
	}
	rep, why, err := migrate.NextPhase(b.Context(), migrate.ApplyOptions{PlanOptions: benchPlan(tmp, maxUnits)})
	if err != nil || rep == nil {
		b.Fatalf("no phase to apply: %v %s", err, why)
	}
	var path string
	var orig []byte
	for _, f := range rep.Rewrite.Files {
		// A file the phase adds (the package's bindConn) is not there yet.
		path = filepath.Join(tmp, filepath.FromSlash(f.Path))
		if orig, err = os.ReadFile(path); err == nil {
			break
		}
	}
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

// benchPlan is the plan the commands make of the module in dir by
// default, with phases of at most maxUnits units (0: no bound).
func benchPlan(dir string, maxUnits int) migrate.PlanOptions {
	return migrate.PlanOptions{Dir: dir, Strategy: "bottom-up", MaxUnits: maxUnits}
}

// loopFresh runs body once per iteration on a copy of the module in dir,
// with fresh content each time (see freshModule) in the file the first
// phase of at most maxUnits units changes, touched outside the timer.
func loopFresh(b *testing.B, dir string, maxUnits int, body func(tmp string)) {
	tmp, touch := freshModule(b, dir, maxUnits)
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
			loopFresh(b, dir, strategies.DefaultMaxUnits, func(tmp string) { loadFloor(b, tmp) })
		})
	}
}

// loadFloor is a bare go/packages load of the module in dir, as
// smartmigrate loads it.
func loadFloor(b *testing.B, dir string) {
	cfg := &packages.Config{Mode: load.Mode, Dir: dir, Tests: true, Fset: token.NewFileSet()}
	if _, err := packages.Load(cfg, "./..."); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkVerifiedApply is what smartmigrate apply does (load, analyse,
// plan, rewrite the next phase, verify it, write it through the journal)
// with fresh content in each iteration, verified in process and with
// --vet=go, with phases of the default size and, in process, unbounded
// (max-units=0: the synthetic module's first phase is then a layer of a
// thousand functions); the phase is reverted outside the timer.
//
// Each iteration also loads the module bare, outside the timer, with
// fresh content of its own, just before the apply: x-floor is the
// apply's time over that load's, summed over the iterations. Measured
// in pairs, the ratio does not move with the speed of a shared machine
// as two benchmarks run minutes apart do.
func BenchmarkVerifiedApply(b *testing.B) {
	for name, dir := range benchModules(b) {
		for _, mode := range verify.VetModes {
			b.Run(name+"/vet="+string(mode), func(b *testing.B) {
				verifiedApply(b, dir, mode, strategies.DefaultMaxUnits)
			})
		}
		b.Run(name+"/vet=inprocess/max-units=0", func(b *testing.B) {
			verifiedApply(b, dir, verify.VetInProcess, 0)
		})
	}
}

func verifiedApply(b *testing.B, dir string, mode verify.VetMode, maxUnits int) {
	tmp, touch := freshModule(b, dir, maxUnits)
	b.ReportAllocs()
	var floor, apply time.Duration
	for b.Loop() {
		b.StopTimer()
		touch()
		runtime.GC()
		t0 := time.Now()
		loadFloor(b, tmp)
		floor += time.Since(t0)
		touch()
		runtime.GC()
		b.StartTimer()
		t0 = time.Now()
		res, why, err := migrate.Apply(b.Context(), migrate.ApplyOptions{PlanOptions: benchPlan(tmp, maxUnits)}, migrate.WriteOptions{Vet: mode, AllowDirty: true})
		apply += time.Since(t0)
		if err != nil || res == nil {
			b.Fatalf("apply: %v %s", err, why)
		}
		b.StopTimer()
		if _, err := migrate.Revert(migrate.RevertOptions{Dir: tmp}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(apply)/float64(floor), "x-floor")
}

// BenchmarkApplyAll is what smartmigrate apply --all does, verified in
// process: every phase, one after another, planned from the module the
// previous phase's check left, with fresh content in each iteration; the
// phases are reverted, newest first, outside the timer.
func BenchmarkApplyAll(b *testing.B) {
	for name, dir := range benchModules(b) {
		b.Run(name, func(b *testing.B) {
			phases := 0
			loopFresh(b, dir, strategies.DefaultMaxUnits, func(tmp string) {
				done, _, err := migrate.ApplyAll(b.Context(), migrate.ApplyOptions{PlanOptions: benchPlan(tmp, strategies.DefaultMaxUnits)}, migrate.WriteOptions{AllowDirty: true}, migrate.AllOptions{})
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
