package migrate_test

import (
	"context"
	"flag"
	"fmt"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/synth"
	"github.com/smartmigrate/smartmigrate/internal/testenv"
	"github.com/smartmigrate/smartmigrate/internal/verify"
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
		fmt.Printf("%s%d\n", hwmPrefix, selfPeakKB())
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
	case "all":
		return applyAllOnCopy(ctx, dir)
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

// applyAllOnCopy is apply --all, verified in process, on a copy of the
// module in dir.
func applyAllOnCopy(ctx context.Context, dir string) error {
	tmp, err := os.MkdirTemp("", "smartmigrate-all-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cp := filepath.Join(tmp, filepath.Base(dir))
	if err := verify.CopyModule(dir, cp); err != nil {
		return fmt.Errorf("copy %s: %w", dir, err)
	}
	done, _, err := migrate.ApplyAll(ctx, migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: cp, Strategy: "bottom-up"}}, migrate.WriteOptions{AllowDirty: true}, migrate.AllOptions{})
	if err != nil {
		return fmt.Errorf("apply --all after %d phases: %w", len(done), err)
	}
	return nil
}

// hwmPrefix starts the last line a child prints: its own peak resident
// size in kB.
const hwmPrefix = "peak-kB "

// selfPeakKB is this process's peak resident size in kB (VmHWM), without
// the go commands it started; 0 where /proc does not say.
func selfPeakKB() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// runChildren runs job on dir in a process of its own once untimed (to
// warm the go command's caches) and once per iteration, and reports, of
// the timed runs, the largest peak resident size of the process itself
// as peak-MB and, with the go commands it started, as tree-peak-MB.
func runChildren(b *testing.B, job, dir string) {
	var peak, tree int64
	child := func(timed bool) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+job, "SMARTMIGRATE_BENCH_DIR="+dir)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("%s: %v\n%s", job, err, stderr.String())
		}
		if !timed {
			return
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			tree = max(tree, ru.Maxrss)
		}
		if i := strings.LastIndex(string(out), hwmPrefix); i >= 0 {
			n, _ := strconv.ParseInt(strings.TrimSpace(string(out[i+len(hwmPrefix):])), 10, 64)
			peak = max(peak, n)
		}
	}
	child(false)
	for b.Loop() {
		child(true)
	}
	b.ReportMetric(float64(peak)/1024, "peak-MB")
	b.ReportMetric(float64(tree)/1024, "tree-peak-MB")
}

// BenchmarkPeakRSS measures, on each module of benchModules, the floor
// (a bare go/packages load) and apply --all (verified in process, on a
// copy), each in a process of its own: time per run, and the peak
// resident size as peak-MB.
func BenchmarkPeakRSS(b *testing.B) {
	for name, dir := range benchModules(b) {
		abs, err := filepath.Abs(dir)
		if err != nil {
			b.Fatal(err)
		}
		for _, job := range []string{"floor", "all"} {
			b.Run(name+"/"+job, func(b *testing.B) { runChildren(b, job, abs) })
		}
	}
}

// BenchmarkScale measures, on synthetic modules of 100k and 1M lines, the
// floor (a bare go/packages load), plan, and apply --dry-run of one phase,
// each in a process of its own: time per run, and the peak resident size
// as peak-MB.
func BenchmarkScale(b *testing.B) {
	for _, lines := range []int{100_000, 1_000_000} {
		dir := synthModule(b, lines)
		for _, job := range []string{"floor", "plan", "apply"} {
			b.Run(fmt.Sprintf("%dk/%s", lines/1000, job), func(b *testing.B) { runChildren(b, job, dir) })
		}
	}
}
