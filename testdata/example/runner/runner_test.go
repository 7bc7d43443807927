//go:build !windows

package runner

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestRun(t *testing.T) {
	out, err := Run("echo", "hello,", "world")
	if err != nil {
		t.Fatal(err)
	}
	if out != "hello, world" {
		t.Errorf("Run(echo) = %q, want %q", out, "hello, world")
	}
	if out, err := Run("true"); err != nil || out != "" {
		t.Errorf("Run(true) = %q, %v; want no output and no error", out, err)
	}
}

func TestRunFails(t *testing.T) {
	out, err := Run("sh", "-c", "echo broken >&2; exit 3")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("Run error = %v, want exit status 3", err)
	}
	if out != "broken" {
		t.Errorf("Run output = %q, want %q", out, "broken")
	}
}

func TestVersion(t *testing.T) {
	tool := filepath.Join(t.TempDir(), "fakecc")
	script := "#!/bin/sh\necho \"fakecc 1.2.3 ($1)\"\necho 'Copyright 2015'\n"
	if err := os.WriteFile(tool, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	v, err := Version(tool)
	if err != nil {
		t.Fatal(err)
	}
	if want := "fakecc 1.2.3 (--version)"; v != want {
		t.Errorf("Version = %q, want %q", v, want)
	}
}

func TestShell(t *testing.T) {
	out, err := Shell("echo one; echo two | tr a-z A-Z")
	if err != nil {
		t.Fatal(err)
	}
	if out != "one\nTWO" {
		t.Errorf("Shell output = %q, want %q", out, "one\nTWO")
	}
	if _, err := Shell("exit 1"); err == nil {
		t.Error("Shell(exit 1) succeeded, want an error")
	}
}
