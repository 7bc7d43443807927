package migrate_test

import (
	"context"
	"flag"
	"fmt"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/synth"
	"github.com/smartmigrate/smartmigrate/internal/testenv"
	"golang.org/x/tools/go/packages"
)

// childEnv names the job a re-executed test binary runs once, so that each
// measurement has a process, and a peak resident size, of its own.
const childEnv = "SMARTMIGRATE_BENCH_CHILD"

func TestMain(m *testing.M) {
	if job := os.Getenv(childEnv); job != "" {
		if err := runChild(context.Background(), job, os.Getenv("SMARTMIGRATE_BENCH_DIR")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	flag.Parse()
	if flag.Lookup("test.bench").Value.String() == "" {
		// Benchmarks keep the default GOGC: BenchmarkScale measures the
		// peak resident size of the processes it starts.
		testenv.LessGC()
	}
	code := m.Run()
	for _, dir := range fixtureDirs {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

func runChild(ctx context.Context, job, dir string) error {
	switch job {
	case "floor":
		cfg := &packages.Config{Context: ctx, Mode: load.Mode, Dir: dir, Tests: true, Fset: token.NewFileSet()}
		_, err := packages.Load(cfg, "./...")
		return err
	case "plan":
		_, err := migrate.Plan(ctx, migrate.PlanOptions{Dir: dir, Strategy: "bottom-up"})
		return err
	case "apply":
		_, err := rewritePhase(ctx, migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: dir, Strategy: "bottom-up"}})
		return err
	}
	return fmt.Errorf("unknown job %q", job)
}

// synthModule generates (once per size, kept in the temp folder between
// runs) a synthetic legacy module of about lines lines.
func synthModule(b *testing.B, lines int) string {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("smartmigrate-synth-%d", lines))
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	if _, err := synth.Generate(dir, synth.Options{Lines: lines, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkScale measures, on synthetic modules of 100k and 1M lines, the
// floor (a bare go/packages load), plan, and apply --dry-run of one phase,
// each in a process of its own: time per run, and the peak resident size
// as peak-MB.
func BenchmarkScale(b *testing.B) {
	for _, lines := range []int{100_000, 1_000_000} {
		dir := synthModule(b, lines)
		for _, job := range []string{"floor", "plan", "apply"} {
			b.Run(fmt.Sprintf("%dk/%s", lines/1000, job), func(b *testing.B) {
				var peak int64
				child := func() {
					cmd := exec.Command(os.Args[0], "-test.run=^$")
					cmd.Env = append(os.Environ(), childEnv+"="+job, "SMARTMIGRATE_BENCH_DIR="+dir)
					if out, err := cmd.CombinedOutput(); err != nil {
						b.Fatalf("%s: %v\n%s", job, err, out)
					}
					if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
						peak = max(peak, ru.Maxrss)
					}
				}
				child() // warm the go command's caches (export data), untimed
				for b.Loop() {
					child()
				}
				b.ReportMetric(float64(peak)/1024, "peak-MB")
			})
		}
	}
}
