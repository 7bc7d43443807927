package rewrite_test

import (
	"fmt"
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
)

// finalizeOnce rewrites the finalize phase (with --deprecate) of the
// module in dir, checks and writes its patch, checks that a second
// finalize changes nothing, and returns the patch as numbered.
func finalizeOnce(t *testing.T, dir string, n int) string {
	t.Helper()
	out, shims := finalize(t, dir)
	if len(out.Files) == 0 {
		t.Fatal("finalize changed nothing")
	}
	diff := patch.Unified(out.Files)
	checkPatch(t, dir, diff, out.Files)
	var report strings.Builder
	for _, s := range shims {
		what := "finalized"
		if s.Removed {
			what = "removed"
		}
		fmt.Fprintf(&report, "# shim %s %s\n", s.ID, what)
	}
	for _, it := range out.Of(rewrite.CodeTODO) {
		fmt.Fprintf(&report, "# todo %s\n", it)
	}
	for _, it := range out.Of(rewrite.CodeMoved) {
		fmt.Fprintf(&report, "# moved %s\n", it)
	}
	for _, f := range out.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Path), f.New, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if again, _ := finalize(t, dir); len(again.Files) > 0 {
		t.Errorf("a second finalize changes %d files:\n%s", len(again.Files), patch.Unified(again.Files))
	}
	return fmt.Sprintf("# phase %d: finalize --deprecate\n%s%s", n, report.String(), diff)
}

func finalize(t *testing.T, dir string) (*rewrite.Result, []rewrite.Shim) {
	t.Helper()
	m, err := load.Load(t.Context(), dir)
	if err != nil {
		t.Fatalf("the module does not load: %v", err)
	}
	res, err := analysis.Analyze(m)
	if err != nil {
		t.Fatal(err)
	}
	out, shims, err := rewrite.Finalize(rewrite.FinalizeInput{Model: res, Deprecate: true})
	if err != nil {
		t.Fatal(err)
	}
	return out, shims
}

// TestFinalizeDownstream migrates a copy of the example, finalizes it
// through migrate.WritePhase (type-check, vet, apidiff: no incompatible
// change), then runs the real go fix in a copy of ../testdata/downstream,
// a module that calls the example's API through shims: the calls must now
// use the ctx forms, and the module must build.
func TestFinalizeDownstream(t *testing.T) {
	if testing.Short() {
		t.Skip("migrates the example and runs go fix")
	}
	t.Parallel()
	root := t.TempDir()
	example := filepath.Join(root, "example")
	downstream := filepath.Join(root, "downstream")
	if err := os.CopyFS(example, os.DirFS("../testdata/example")); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(downstream, os.DirFS("../testdata/downstream")); err != nil {
		t.Fatal(err)
	}
	migrateAll(t, example, "bottom-up")
	rep, why, err := migrate.NextPhase(t.Context(), migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: example}, Finalize: true, Deprecate: true})
	if err != nil || rep == nil {
		t.Fatalf("finalize: %v %s", err, why)
	}
	if rep.Strategy != migrate.FinalizeStrategy || len(rep.Shims) == 0 {
		t.Fatalf("finalize phase: strategy %s, %d shims", rep.Strategy, len(rep.Shims))
	}
	res, err := migrate.WritePhase(t.Context(), rep, migrate.WriteOptions{})
	if err != nil {
		t.Fatalf("the finalize phase fails its checks: %v", err)
	}
	if res.Journal.Strategy != migrate.FinalizeStrategy {
		t.Errorf("journal strategy %q", res.Journal.Strategy)
	}
	if _, why, err := migrate.NextPhase(t.Context(), migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: example}, Finalize: true}); err != nil || why == "" {
		t.Errorf("a second finalize: %v, %q; want nothing to do", err, why)
	}
	run := func(args ...string) string {
		cmd := exec.Command("go", args...)
		cmd.Dir = downstream
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("fix", "./...")
	run("build", "./...")
	run("vet", "./...")
	src, err := os.ReadFile(filepath.Join(downstream, "downstream.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"c.ListUsersContext(context.Background())",
		"s.GetContext(context.Background(), u.ID)",
		"s.PutContext(context.Background(), &store.Item{",
		"store.OpenContext(context.Background(), dsn)",
		`runner.RunContext(context.Background(), "uname", "-a")`,
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("after go fix, downstream.go lacks %s:\n%s", want, src)
		}
	}
	for _, old := range []string{"c.ListUsers()", "s.Get(", "s.Put(", "store.Open(", "runner.Run("} {
		if strings.Contains(string(src), old) {
			t.Errorf("after go fix, downstream.go still calls %s", old)
		}
	}
	// The finalize phase reverts like any other.
	if _, err := migrate.Revert(migrate.RevertOptions{Dir: example}); err != nil {
		t.Errorf("revert the finalize phase: %v", err)
	}
}
