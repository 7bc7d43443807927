package main

import (
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
	if testing.Short() {
		t.Skip("builds a binary and runs go vet")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	tool := filepath.Join(t.TempDir(), "smartmigrate-vet")
	build := exec.Command(goCmd, "build", "-o", tool, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

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
