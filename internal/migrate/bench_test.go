package migrate_test

import (
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/rewrite"
	"github.com/smartmigrate/smartmigrate/strategies"
	"golang.org/x/tools/go/packages"
)

// benchModules are the modules to measure: the bundled example, plus any
// folders named in SMARTMIGRATE_BENCH_MODULES (comma-separated), for
// real modules downloaded outside the repository.
func benchModules(b *testing.B) map[string]string {
	mods := map[string]string{"example": "../../testdata/example"}
	for _, dir := range strings.Split(os.Getenv("SMARTMIGRATE_BENCH_MODULES"), ",") {
		if dir = strings.TrimSpace(dir); dir != "" {
			mods[filepath.Base(dir)] = dir
		}
	}
	return mods
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
