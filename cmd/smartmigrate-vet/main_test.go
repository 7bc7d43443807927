package main

import (
	"bytes"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/testenv"
)

func init() { testenv.LessGC() }

// TestGoVet builds smartmigrate-vet and runs go vet -vettool with it on
// testdata/fixture: the findings are reported with file:line:col and go vet
// exits non-zero.
func TestGoVet(t *testing.T) {
	goCmd, tool := buildTool(t)

	vet := exec.Command(goCmd, "vet", "-vettool="+tool, "./...")
	vet.Dir = "testdata/fixture"
	vet.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := vet.CombinedOutput()
	if err == nil {
		t.Fatalf("go vet exited 0, want a failure; output:\n%s", out)
	}
	if _, ok := err.(*exec.ExitError); !ok {
		t.Fatalf("go vet: %v", err)
	}
	got := string(out)
	for _, want := range []string{
		"store/store.go:7:6: Backup blocks (exec.Command at store/store.go:8) without a context.Context: add BackupContext(ctx context.Context, ...)",
		"api.go:11:6: Nightly blocks (exec.Command at store/store.go:8) without a context.Context: add NightlyContext(ctx context.Context, ...)",
		"store/store.go:20:14: Archive blocks (exec.Command at store/store.go:8) without a context.Context: add ArchiveContext(ctx context.Context, ...)",
		"api.go:18:6: Rotate blocks (exec.Command at store/store.go:8) without a context.Context: add RotateContext(ctx context.Context, ...)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("go vet output lacks %q; got:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Weekly blocks") {
		t.Errorf("a function taking a context was reported:\n%s", got)
	}
}

// buildTool builds smartmigrate-vet; it returns the go command and the
// tool. It skips in -short mode and without a go command.
func buildTool(t *testing.T) (goCmd, tool string) {
	if testing.Short() {
		t.Skip("builds a binary and runs go vet")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	tool = filepath.Join(t.TempDir(), "smartmigrate-vet")
	if out, err := exec.Command(goCmd, "build", "-o", tool, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return goCmd, tool
}

// TestGoVetFix runs go vet -vettool -fix on a copy of testdata/fixture:
// the suggested fixes apply, the result is gofmt-clean, builds and passes
// go vet, and smartmigrate-vet has nothing left to report.
func TestGoVetFix(t *testing.T) {
	goCmd, tool := buildTool(t)
	dir := filepath.Join(t.TempDir(), "fixture")
	if err := os.CopyFS(dir, os.DirFS("testdata/fixture")); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		cmd := exec.Command(goCmd, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("vet", "-vettool="+tool, "-fix", "./...")
	api, err := os.ReadFile(filepath.Join(dir, "api.go"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := os.ReadFile(filepath.Join(dir, "store", "store.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"func NightlyContext(ctx context.Context) error",
		"return NightlyContext(context.Background())",
		"func RotateContext(ctx context.Context, a store.Archiver) error",
	} {
		if !strings.Contains(string(api), want) {
			t.Errorf("fixed api.go lacks %q:\n%s", want, api)
		}
	}
	for _, want := range []string{
		"func BackupContext(ctx context.Context, dir string) error {\n\treturn exec.CommandContext(ctx, ",
		"func (t Tar) ArchiveContext(ctx context.Context) error",
		"\t\"context\"\n",
	} {
		if !strings.Contains(string(store), want) {
			t.Errorf("fixed store.go lacks %q:\n%s", want, store)
		}
	}
	for name, src := range map[string][]byte{"api.go": api, "store/store.go": store} {
		if formatted, err := format.Source(src); err != nil || !bytes.Equal(formatted, src) {
			t.Errorf("fixed %s is not gofmt-clean (%v)", name, err)
		}
	}
	run("build", "./...")
	run("vet", "./...")
	if out := run("vet", "-vettool="+tool, "./..."); out != "" {
		t.Errorf("findings left after -fix:\n%s", out)
	}
}
