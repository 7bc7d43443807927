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
	dir, run := copyModule(t, goCmd, "testdata/fixture")
	run("vet", "-vettool="+tool, "-fix", "./...")
	files := readFiles(t, dir, "api.go", "store/store.go")
	for name, wants := range map[string][]string{
		"api.go": {
			"func NightlyContext(ctx context.Context) error",
			"return NightlyContext(context.Background())",
			"func RotateContext(ctx context.Context, a store.Archiver) error",
		},
		"store/store.go": {
			"func BackupContext(ctx context.Context, dir string) error {\n\treturn exec.CommandContext(ctx, ",
			"func (t Tar) ArchiveContext(ctx context.Context) error",
			"\t\"context\"\n",
		},
	} {
		for _, want := range wants {
			if !strings.Contains(files[name], want) {
				t.Errorf("fixed %s lacks %q:\n%s", name, want, files[name])
			}
		}
	}
	run("build", "./...")
	run("vet", "./...")
	if out := run("vet", "-vettool="+tool, "./..."); out != "" {
		t.Errorf("findings left after -fix:\n%s", out)
	}
}

// TestGoVetFixExample applies every fix to the bundled example at once:
// the result builds (for windows too: shell_windows.go is not typed on
// linux), vets and passes its tests. What is left reported is what gets
// no fix: an in-place function another package or an excluded file
// names.
func TestGoVetFixExample(t *testing.T) {
	goCmd, tool := buildTool(t)
	dir, run := copyModule(t, goCmd, "../../testdata/example")
	before := run("vet", "-vettool="+tool, "-json", "./...")
	run("vet", "-vettool="+tool, "-fix", "./...")
	readFiles(t, dir, "api/client.go", "api/pages.go", "store/store.go", "runner/runner.go", "cmd/shopd/main.go")
	run("build", "./...")
	windows := exec.Command(goCmd, "build", "./...")
	windows.Dir = dir
	windows.Env = append(os.Environ(), "GOWORK=off", "GOOS=windows")
	if out, err := windows.CombinedOutput(); err != nil {
		t.Errorf("GOOS=windows go build: %v\n%s", err, out)
	}
	run("vet", "./...")
	run("test", "./...")
	left := strings.TrimSpace(runFails(t, goCmd, dir, "vet", "-vettool="+tool, "./..."))
	lines := strings.Split(left, "\n")
	if len(lines) != 2 || !strings.Contains(left, "shell blocks") || !strings.Contains(left, "Check blocks") {
		t.Errorf("left after -fix, want shell (shell_windows.go) and health.Check (called from cmd/shopd):\n%s", left)
	}
	if strings.Count(before, `"posn"`) < 20 {
		t.Errorf("only %d findings before -fix:\n%s", strings.Count(before, `"posn"`), before)
	}
}

// copyModule copies the module at src to a temporary folder; run runs the
// go command there and fails the test when it fails.
func copyModule(t *testing.T, goCmd, src string) (string, func(args ...string) string) {
	dir := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dir, func(args ...string) string {
		cmd := exec.Command(goCmd, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
}

// runFails runs the go command in dir, wants it to fail (findings), and
// returns its output.
func runFails(t *testing.T, goCmd, dir string, args ...string) string {
	cmd := exec.Command(goCmd, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); !ok {
		t.Fatalf("go %s: %v, want findings\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// readFiles reads the files below dir, and checks that each is
// gofmt-clean.
func readFiles(t *testing.T, dir string, names ...string) map[string]string {
	out := map[string]string{}
	for _, name := range names {
		src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if formatted, err := format.Source(src); err != nil || !bytes.Equal(formatted, src) {
			t.Errorf("fixed %s is not gofmt-clean (%v)", name, err)
		}
		out[name] = string(src)
	}
	return out
}
