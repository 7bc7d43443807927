package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/verify"
)

// TestExitCodes runs each kind of outcome once and checks its exit
// status: 0 success, 1 findings or a refusal, 2 usage, 3 a failure of the
// tool or its environment.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	example := "../../testdata/example"
	dir := filepath.Join(t.TempDir(), "example")
	if err := verify.CopyModule(example, dir); err != nil {
		t.Fatal(err)
	}
	unreadable := filepath.Join(t.TempDir(), "m")
	os.MkdirAll(unreadable, 0o755)
	os.WriteFile(filepath.Join(unreadable, "go.mod"), []byte("module example.com/m\n\ngo 1.24\n"), 0o644)
	os.WriteFile(filepath.Join(unreadable, ".smartmigrate"), []byte("a file where the journal's folder goes\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"plan", "-C", example}, 0},
		{[]string{"help", "plan"}, 0},
		{[]string{"check", "-C", example, "./..."}, exitFindings},
		{[]string{"revert", "-C", dir}, exitFindings},                      // nothing applied
		{[]string{"apply", "-C", dir, "--verify", "exit 7"}, exitFindings}, // verification refuses
		{[]string{"nope"}, exitUsage},
		{[]string{"help", "nope"}, exitUsage},
		{[]string{"plan", "--nope"}, exitUsage},
		{[]string{"revert", "--phase", "abc"}, exitUsage},
		{[]string{"version", "extra"}, exitUsage},
		{[]string{"plan", "-C", example, "--strategy", "sideways"}, exitUsage},
		{[]string{"plan", "-C", example, "./nope/..."}, exitUsage},
		{[]string{"plan", "-C", filepath.Join(t.TempDir(), "missing")}, exitUsage},
		{[]string{"apply", "-C", example, "--deprecate"}, exitUsage},
		{[]string{"revert", "-C", dir, "--phase", "9"}, exitUsage},
		{[]string{"status", "-C", unreadable}, exitFailure},
	} {
		var stdout, stderr bytes.Buffer
		if got := run(tc.args, &stdout, &stderr); got != tc.want {
			t.Errorf("smartmigrate %v: exit %d, want %d\n%s", tc.args, got, tc.want, stderr.String())
		}
	}
}

// TestColorFlag: --color=always colours a pipe, never and auto do not
// (standard output is not a terminal here), and a bad value is a usage
// error.
func TestColorFlag(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "example")
	if err := verify.CopyModule("../../testdata/example", dir); err != nil {
		t.Fatal(err)
	}
	for color, want := range map[string]bool{"always": true, "never": false, "auto": false} {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"apply", "-C", dir, "--diff", "--color", color}, &stdout, &stderr); code != 0 {
			t.Fatalf("--color=%s: exit %d\n%s", color, code, stderr.String())
		}
		if got := bytes.Contains(stdout.Bytes(), []byte("\x1b[")); got != want {
			t.Errorf("--color=%s: coloured %v, want %v", color, got, want)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"plan", "-C", dir, "--color", "sometimes"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("--color=sometimes: exit %d, want %d", code, exitUsage)
	}
}
